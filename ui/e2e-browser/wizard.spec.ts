import { expect, test, type Page } from "@playwright/test";

async function openWizard(page: Page) {
  await page.goto("/");
  await page.getByTestId("company-switcher").click();
  await page.getByTestId("add-company").click();
  await expect(page.getByTestId("add-company-wizard")).toBeVisible();
}

async function fillCompany(page: Page, nip = "774-000-14-54") {
  await page.getByTestId("wizard-nip").fill(nip);
  await page.getByTestId("wizard-name").fill("Kwiaciarnia Stokrotka");
  await page.getByTestId("wizard-next").click();
}

test("the NIP is checked before going on, naming the problem", async ({ page }) => {
  await openWizard(page);
  await page.getByTestId("wizard-nip").fill("7740001455");
  await expect(page.getByTestId("wizard-nip-error")).toContainText("cyfrę kontrolną");
  await page.getByTestId("wizard-nip").fill("PL7740001454");
  await expect(page.getByTestId("wizard-nip-error")).toContainText("bez prefiksu „PL”");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-env-simulator")).toHaveCount(0);
  await page.getByTestId("wizard-nip").fill("7740001454");
  await page.getByTestId("wizard-name").fill("Kwiaciarnia");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-token")).toBeVisible();
});

test("a tested token shows what works, and connecting adds the company", async ({ page }) => {
  await openWizard(page);
  await fillCompany(page);
  await expect(page.getByTestId("wizard-save")).toBeDisabled();
  await page.getByTestId("wizard-token").fill("read-only");
  await page.getByTestId("wizard-test").click();
  await expect(page.getByTestId("wizard-report")).toBeVisible();
  await expect(page.getByTestId("wizard-feature-send_sales_invoices")).toContainText(
    "zablokowane — brak uprawnienia Wystawianie faktur",
  );
  await expect(page.getByTestId("wizard-feature-receive_cost_invoices")).toContainText("dostępne");
  // Changing the token invalidates the test.
  await page.getByTestId("wizard-token").fill("sim-token-full");
  await expect(page.getByTestId("wizard-report")).toHaveCount(0);
  await expect(page.getByTestId("wizard-save")).toBeDisabled();
  await page.getByTestId("wizard-test").click();
  await expect(page.getByTestId("wizard-feature-send_sales_invoices")).toContainText("dostępne");
  await page.getByTestId("wizard-save").click();
  await expect(page.getByTestId("add-company-wizard")).toHaveCount(0);
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Stokrotka");
});

test("the demo environment fills in a simulator token", async ({ page }) => {
  await openWizard(page);
  await fillCompany(page);
  await page.getByTestId("wizard-demo-token").click();
  await expect(page.getByTestId("wizard-token")).toHaveValue("sim-token-full");
  await page.getByTestId("wizard-env-production").check({ force: true });
  await expect(page.getByTestId("wizard-demo-token")).toHaveCount(0);
});

test("an expired token gets a specific error", async ({ page }) => {
  await openWizard(page);
  await fillCompany(page);
  await page.getByTestId("wizard-token").fill("expired");
  await page.getByTestId("wizard-test").click();
  await expect(page.getByTestId("wizard-error")).toContainText("Token jest nieaktywny");
  await expect(page.getByTestId("wizard-save")).toBeDisabled();
});

test("a slow connection test can be cancelled", async ({ page }) => {
  await openWizard(page);
  await fillCompany(page);
  await page.getByTestId("wizard-token").fill("slow");
  await page.getByTestId("wizard-test").click();
  await expect(page.getByTestId("wizard-testing")).toBeVisible();
  await page.getByTestId("wizard-cancel-test").click();
  await expect(page.getByTestId("wizard-error")).toHaveText("Sprawdzanie przerwane.");
  await expect(page.getByTestId("wizard-test")).toBeEnabled();
});
