import { expect, test, type Page } from "@playwright/test";

async function openWizard(page: Page) {
  await page.goto("/");
  await page.getByTestId("company-switcher").click();
  await page.getByTestId("add-company").click();
  await expect(page.getByTestId("add-company-wizard")).toBeVisible();
}

async function fillCompany(page: Page, nip = "774-000-14-54", method = "token") {
  await page.getByTestId("wizard-nip").fill(nip);
  await page.getByTestId("wizard-name").fill("Kwiaciarnia Stokrotka");
  await page.getByTestId("wizard-next").click();
  await page.getByTestId(`wizard-method-${method}`).check({ force: true });
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
  await expect(page.getByTestId("wizard-methods")).toBeVisible();
});

test("a certificate is the recommended way in; the token is labelled with its last day", async ({
  page,
}) => {
  await openWizard(page);
  await page.getByTestId("wizard-nip").fill("774-000-14-54");
  await page.getByTestId("wizard-name").fill("Kwiaciarnia Stokrotka");
  await page.getByTestId("wizard-next").click();
  const methods = page.getByTestId("wizard-methods");
  // Certificate first and preselected, the token second with the backend's date.
  await expect(methods.locator(".env-title").first()).toHaveText("Certyfikat KSeF (zalecany)");
  await expect(page.getByTestId("wizard-method-certificate")).toBeChecked();
  await expect(page.getByTestId("wizard-method-token-title")).toHaveText(
    "Token KSeF — działa do 31.12.2026",
  );
  await expect(page.getByTestId("certificate-guide")).toContainText("Jak uzyskać certyfikat KSeF?");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-token")).toHaveCount(0);
  await expect(page.getByTestId("certificate-form")).toBeVisible();
});

test("a company is added with a certificate, problems shown at their field", async ({ page }) => {
  await openWizard(page);
  await fillCompany(page, "774-000-14-54", "certificate");
  await expect(page.getByTestId("certificate-submit")).toBeDisabled();
  await page.getByTestId("certificate-choose").click();
  await page.getByTestId("certificate-key-choose").click();
  await page.getByTestId("certificate-password").fill("zle");
  await page.getByTestId("certificate-submit").click();
  await expect(page.getByTestId("certificate-error-password")).toHaveText(
    "Hasło jest nieprawidłowe. Sprawdź wielkość liter i układ klawiatury.",
  );
  await expect(page.getByTestId("add-company-wizard")).toBeVisible();

  await page.getByTestId("certificate-password").fill("Tajne-Haslo");
  await page.getByTestId("certificate-submit").click();
  await expect(page.getByTestId("add-company-wizard")).toHaveCount(0);
  await expect(page.getByTestId("active-company")).toHaveText("Kwiaciarnia Stokrotka");
  await page.getByTestId("nav-settings").click();
  await expect(page.getByTestId("credentials-panel").getByTestId("credentials-method")).toHaveText(
    "Certyfikat KSeF",
  );
});

test("adding with a certificate shows progress and can be cancelled, in English too", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  await page.getByTestId("locale-en").click();
  await page.getByTestId("company-switcher").click();
  await page.getByTestId("add-company").click();
  await page.getByTestId("wizard-nip").fill("774-000-14-54");
  await page.getByTestId("wizard-name").fill("Stokrotka");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-methods").locator(".env-title").first()).toHaveText(
    "KSeF certificate (recommended)",
  );
  await expect(page.getByTestId("wizard-method-token-title")).toHaveText(
    "KSeF token — works until 31/12/2026",
  );
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("certificate-choose").click();
  await page.getByTestId("certificate-key-choose").click();
  await page.getByTestId("certificate-password").fill("slow");
  await page.getByTestId("certificate-submit").click();
  await page.getByTestId("certificate-cancel").click();
  await expect(page.getByTestId("certificate-error")).toBeVisible();
  await expect(page.getByTestId("add-company-wizard")).toBeVisible();
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
