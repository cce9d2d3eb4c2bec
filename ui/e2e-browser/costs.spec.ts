import { expect, test, type Page } from "@playwright/test";

// The costs inbox against the mock IPC: 100 000 generated cost invoices, the first
// 40 new, Kałamarz and the accounting office trusted, the others unknown.

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-costs").click();
  await expect(page.getByTestId("costs-inbox")).toBeVisible();
});

const rows = (page: Page) => page.getByTestId("cost-row");

test("shows the inbox with its counts and a virtual list of 100 000 costs", async ({ page }) => {
  await expect(page.getByTestId("page-title")).toHaveText("Koszty");
  await expect(page.getByText(/100\s000 dokumentów z KSeF/)).toBeVisible();
  await expect(page.getByTestId("stat-to-describe")).toContainText("40");
  // Only what is on screen is in the DOM.
  const rendered = await page.locator("[data-testid^=cost-row]").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  await expect(rows(page).first()).toContainText("FV/100000/2026");

  // Keyboard: the list takes focus, End jumps to the oldest cost, Home back.
  await page.getByTestId("cost-list").focus();
  await page.keyboard.press("End");
  await expect(page.getByTestId("cost-panel")).toContainText("FV/1/2026");
  await expect(page.locator("[aria-selected=true]")).toContainText("FV/1/2026");
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("cost-panel")).toContainText("FV/99999/2026");
});

test("search ignores diacritics and filters combine", async ({ page }) => {
  await page.keyboard.press("/");
  await expect(page.getByTestId("cost-search")).toBeFocused();
  await page.keyboard.type("kalamarz");
  await expect(page.getByText(/16\s667 dokumentów|Hurtownia/).first()).toBeVisible();
  await expect(rows(page).first()).toContainText("Hurtownia Papiernicza Kałamarz S.A.");
  await page.getByTestId("filter-stage").selectOption("new");
  await expect(rows(page)).toHaveCount(7);
  await page.getByTestId("cost-search").fill("zzz-nothing");
  await expect(page.getByTestId("costs-no-match")).toBeVisible();
  await page.getByTestId("filters-clear").click();
  await expect(rows(page).first()).toContainText("FV/100000/2026");
  await page.getByTestId("filter-flag").selectOption("newBankAccount");
  await expect(rows(page)).toHaveCount(1);
  await rows(page).first().click();
  await expect(page.getByTestId("warn-new-account")).toBeVisible();
});

test("a cost from an unknown supplier goes from new to paid, every step recorded", async ({
  page,
}) => {
  await page.getByTestId("filter-stage").selectOption("new");
  await page.getByTestId("cost-search").fill("Bajt");
  await expect(rows(page)).toHaveCount(7);
  await rows(page).first().click();
  const panel = page.getByTestId("cost-panel");
  await expect(panel).toContainText("Serwis IT Bajt Sp. z o.o.");
  await expect(
    page.getByTestId("cost-visualisation").getByText(/Faktura VAT FV\/\d+\/2026/),
  ).toBeVisible();
  await expect(page.getByTestId("warn-unknown-supplier")).toBeVisible();
  await expect(page.getByTestId("cost-stage")).toHaveText("Nowy");

  // Describing needs a category, and says so.
  await page.getByTestId("action-describe").click();
  await page.getByTestId("describe-save").click();
  await expect(page.getByTestId("panel-error")).toContainText("kategorię");
  await page.getByTestId("describe-category").fill("Usługi IT");
  await page.getByTestId("describe-tags").fill("serwis, pilne");
  await page.getByTestId("describe-save").click();
  await expect(page.getByTestId("cost-stage")).toHaveText("Opisany");
  await page.getByTestId("action-submit").click();
  await expect(page.getByTestId("cost-stage")).toHaveText("Do akceptacji");

  // An unknown supplier needs the explicit confirmation.
  await expect(page.getByTestId("action-approve")).toBeDisabled();
  await page.getByTestId("confirm-unknown").check();
  await page.getByTestId("action-approve").click();
  await expect(page.getByTestId("cost-stage")).toHaveText("Zaakceptowany");

  // A partial payment, then the rest (the form offers what remains).
  await page.getByTestId("action-pay").click();
  await page.getByTestId("pay-amount").fill("10,00");
  await page.getByTestId("pay-save").click();
  await expect(page.getByTestId("cost-stage")).toHaveText("Częściowo zapłacony");
  await page.getByTestId("action-pay").click();
  await page.getByTestId("pay-save").click();
  await expect(page.getByTestId("cost-stage")).toHaveText("Zapłacony");

  const history = page.getByTestId("cost-history");
  for (const step of [
    "Pobrano z KSeF",
    "Opisano",
    "Przekazano do akceptacji",
    "Zaakceptowano",
    "potwierdzono nieznanego dostawcę",
    "Zapisano płatność",
  ]) {
    await expect(history).toContainText(step);
  }
  await expect(history).toContainText("Użytkownik demo");
  // In words, not as stored: "Usługi IT, tagi: serwis, pilne", a payment with its day.
  await expect(history).toContainText("Usługi IT, tagi: serwis, pilne");
  await expect(history).toContainText(/10,00 PLN, \d{2}\.\d{2}\.\d{4}, Przelew/);
  await expect(history).not.toContainText("category=");
  await expect(history).not.toContainText("paid_on=");
});

test("marking a supplier trusted is one click from the invoice", async ({ page }) => {
  await page.getByTestId("cost-search").fill("Drukarnia");
  await expect(rows(page).first()).toContainText("Drukarnia Świt s.c.");
  await rows(page).first().click();
  await expect(page.getByTestId("warn-unknown-supplier")).toBeVisible();
  await page.getByTestId("trust").click();
  await expect(page.getByTestId("warn-unknown-supplier")).toHaveCount(0);
  await expect(page.getByTestId("cost-history")).toContainText("Dostawca oznaczony jako zaufany");
});

test("an unreadable invoice is shown with the reason", async ({ page }) => {
  await page.getByTestId("filter-flag").selectOption("unreadable");
  await expect(rows(page)).toHaveCount(1);
  await rows(page).first().click();
  await expect(page.getByTestId("warn-unreadable")).toContainText("unexpected end of document");
  await expect(page.getByTestId("cost-no-visualisation")).toBeVisible();
});

test("Retrieve now reports how many new costs arrived", async ({ page }) => {
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-message")).toHaveText("Pobrano 3 nowe koszty.");
  // The list reloads with the same filters.
  await expect(rows(page).first()).toContainText("FV/100000/2026");
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-message")).toHaveText("Brak nowych kosztów w KSeF.");
});

test("the retrieval interval is set in the settings", async ({ page }) => {
  await page.getByTestId("nav-settings").click();
  await expect(page.getByTestId("cost-sync-interval")).toHaveValue("15");
  await page.getByTestId("cost-sync-interval").fill("30");
  await page.getByTestId("cost-sync-interval-save").click();
  await expect(page.getByText("Zapisano: co 30 min")).toBeVisible();
});
