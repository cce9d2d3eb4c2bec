import { expect, test } from "@playwright/test";

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("page-dashboard")).toBeVisible();
});

test("opens in Polish with the company, navigation and status bar", async ({ page }) => {
  await expect(page.getByTestId("page-title")).toHaveText("Pulpit");
  await expect(page.getByTestId("active-company")).toHaveText("Pracownia Demo Sp. z o.o.");
  await expect(page.getByText("NIP 526-587-76-35").first()).toBeVisible();
  for (const label of ["Pulpit", "Sprzedaż", "Koszty", "Kontrahenci", "Ustawienia"]) {
    await expect(
      page.getByRole("navigation").or(page.locator("aside")).getByText(label, { exact: true }),
    ).toBeVisible();
  }
  await expect(page.getByTestId("status-environment")).toHaveText("Symulator KSeF (demo)");
  await expect(page.getByTestId("status-connection")).toHaveText("Nie połączono z KSeF");
  await expect(page.getByTestId("status-queue")).toHaveText("Kolejka pusta");
  await expect(page.getByTestId("connect-banner")).toBeVisible();
  await expect(page.getByTestId("demo-badge")).toHaveText("DEMO");
});

test("shows dashboard counts in Polish number format", async ({ page }) => {
  await expect(page.getByTestId("stat-accepted")).toContainText(/12\s840/);
  await expect(page.getByTestId("stat-new-costs")).toContainText("8");
  await expect(page.getByTestId("stat-contractors")).toContainText("3");
});

test("moves between areas by click and by Alt+number", async ({ page }) => {
  await page.getByTestId("nav-sales").click();
  await expect(page.getByTestId("page-title")).toHaveText("Sprzedaż");
  await expect(page.getByTestId("sales-list")).toBeVisible();
  await page.getByTestId("nav-costs").click();
  await expect(page.getByTestId("costs-inbox")).toBeVisible();
  await page.keyboard.press("Alt+4");
  await expect(page.getByTestId("page-title")).toHaveText("Kontrahenci");
  await page.keyboard.press("Alt+5");
  await expect(page.getByTestId("page-title")).toHaveText("Ustawienia");
  await page.keyboard.press("Alt+1");
  await expect(page.getByTestId("page-title")).toHaveText("Pulpit");
});

test("switches the language to English and back at runtime", async ({ page }) => {
  await page.getByTestId("nav-settings").click();
  await page.getByTestId("locale-en").click();
  await expect(page.getByTestId("page-title")).toHaveText("Settings");
  await expect(page.getByTestId("nav-sales")).toHaveText("Sales");
  await expect(page.getByTestId("status-connection")).toHaveText("Not connected to KSeF");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByTestId("locale-pl").click();
  await expect(page.getByTestId("page-title")).toHaveText("Ustawienia");
});

test("the company switcher lists companies and switches", async ({ page }) => {
  await page.getByTestId("company-switcher").click();
  const options = page.getByRole("option");
  await expect(options).toHaveCount(2);
  await options.filter({ hasText: "Kwiaciarnia Bratek" }).click();
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Bratek");
  await expect(page.getByTestId("status-environment")).toHaveText("KSeF Produkcja");
  await expect(page.getByTestId("demo-badge")).toHaveCount(0);
  await expect(page.getByRole("option")).toHaveCount(0);
});

test("contractor search ignores case, diacritics and NIP dashes", async ({ page }) => {
  await page.getByTestId("nav-contractors").click();
  const rows = page.getByTestId("contractor-table").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await page.getByTestId("contractor-search").fill("swit");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Drukarnia Świt s.c.");
  await page.getByTestId("contractor-search").fill("774-000");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("774-000-14-54");
  await page.getByTestId("contractor-search").fill("zzz");
  await expect(page.getByTestId("contractors-no-match")).toContainText("Nic nie pasuje do „zzz”");
});

test("Ctrl+number switches the company from anywhere", async ({ page }) => {
  await page.getByTestId("nav-contractors").click();
  await page.keyboard.press("Control+2");
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Bratek");
  await expect(page.getByTestId("page-title")).toHaveText("Kontrahenci");
  await page.keyboard.press("Control+1");
  await expect(page.getByTestId("active-company")).toHaveText("Pracownia Demo Sp. z o.o.");
  // The switcher shows the shortcuts.
  await page.getByTestId("company-switcher").click();
  await expect(page.getByRole("option", { name: /Kwiaciarnia Bratek/ })).toContainText("Ctrl+2");
});

test("a bookkeeper sees all companies at once and opens one", async ({ page }) => {
  await page.getByTestId("dashboard-all").click();
  const table = page.getByTestId("overview-table");
  await expect(table.locator("tbody tr")).toHaveCount(2);
  await expect(table.locator("tbody tr").first()).toContainText("Pracownia Demo Sp. z o.o.");
  await expect(table.locator("tbody tr").first()).toContainText(/12\s840/);
  await expect(table.locator("tbody tr").nth(1)).toContainText("Niepołączona");
  await page.getByTestId("overview-open-2").click();
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Bratek");
  await expect(page.getByTestId("stat-accepted")).toBeVisible();
});

test("areas follow the user's roles in each company", async ({ page }) => {
  await expect(page.getByTestId("nav-sales")).toBeVisible();
  await page.getByTestId("nav-sales").click();
  await page.keyboard.press("Control+2");
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Bratek");
  // A costs clerk there: no sales register, and the open page falls back.
  await expect(page.getByTestId("nav-sales")).toHaveCount(0);
  await expect(page.getByTestId("nav-costs")).toBeVisible();
  await expect(page.getByTestId("page-title")).toHaveText("Pulpit");
  await page.keyboard.press("Alt+2");
  await expect(page.getByTestId("page-title")).toHaveText("Pulpit");
  await page.keyboard.press("Control+1");
  await expect(page.getByTestId("nav-sales")).toBeVisible();
});
