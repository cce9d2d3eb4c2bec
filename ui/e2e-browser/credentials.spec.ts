import { expect, test } from "@playwright/test";

test("a token company sees the days left to the cut-off everywhere", async ({ page }) => {
  await page.goto("/");
  const banner = page.getByTestId("credential-banner");
  await expect(banner).toContainText("Logowanie tokenem KSeF działa jeszcze 27 dni");
  await expect(banner).toContainText("po 31.12.2026");
  await expect(page.getByTestId("status-credentials")).toHaveText(
    "Logowanie tokenem KSeF działa jeszcze 27 dni",
  );

  await page.getByTestId("credential-banner-open").click();
  const panel = page.getByTestId("credentials-panel");
  await expect(panel.getByTestId("credentials-method")).toHaveText(
    "Token KSeF (działa do 31.12.2026)",
  );
  await expect(panel.getByTestId("credentials-alert")).toContainText("27 dni");
});

test("a certificate company sees its validity and the 7-day warning", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("page-dashboard")).toBeVisible();
  await page.keyboard.press("Control+2");
  await expect(page.getByTestId("credential-banner")).toContainText(
    "Certyfikat KSeF wygasa za 6 dni",
  );
  await expect(page.getByTestId("status-credentials")).toHaveText(
    "Certyfikat KSeF wygasa za 6 dni",
  );
  await page.getByTestId("status-credentials").click();
  const panel = page.getByTestId("credentials-panel");
  await expect(panel.getByTestId("credentials-method")).toHaveText("Certyfikat KSeF");
  await expect(panel).toContainText("TINPL-7740001454");
  await expect(panel).toContainText("9F86D081884C7D659A2FEAA0C55AD015");
  await expect(panel.getByTestId("credentials-validity")).toContainText("10.12.2026");
  // The flower shop's user is a costs clerk, not its administrator.
  await expect(panel.getByTestId("credentials-admin-only")).toBeVisible();
});

test("the wizard labels the token with its last day", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("company-switcher").click();
  await page.getByTestId("add-company").click();
  await page.getByTestId("wizard-nip").fill("774-000-14-54");
  await page.getByTestId("wizard-name").fill("Kwiaciarnia Stokrotka");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-method-token-title")).toHaveText(
    "Token KSeF — działa do 31.12.2026",
  );
  await page.getByTestId("wizard-method-token").check({ force: true });
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-token-cutoff")).toHaveText("działa do 31.12.2026");
});

test("an administrator moves a token company to a certificate", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  const panel = page.getByTestId("credentials-panel");
  await expect(panel.getByTestId("certificate-guide")).toContainText(
    "Jak uzyskać certyfikat KSeF?",
  );
  await panel.getByTestId("credentials-switch").click();
  await expect(panel.getByTestId("certificate-submit")).toBeDisabled();
  await panel.getByTestId("certificate-choose").click();
  await expect(panel.getByTestId("certificate-path")).toHaveValue("/home/anna/ksef/anna.crt");
  await panel.getByTestId("certificate-key-choose").click();
  await expect(panel.getByTestId("certificate-key-path")).toHaveValue("/home/anna/ksef/anna.key");

  await panel.getByTestId("certificate-password").fill("zle");
  await panel.getByTestId("certificate-submit").click();
  await expect(panel.getByTestId("certificate-error-password")).toHaveText(
    "Hasło jest nieprawidłowe. Sprawdź wielkość liter i układ klawiatury.",
  );

  await panel.getByTestId("certificate-password").fill("Tajne-Haslo");
  await panel.getByTestId("certificate-submit").click();
  await expect(panel.getByTestId("credentials-notice")).toContainText(
    "Firma loguje się teraz certyfikatem",
  );
  await expect(panel.getByTestId("credentials-method")).toHaveText("Certyfikat KSeF");
  await expect(panel.getByTestId("credentials-feature-send_sales_invoices")).toContainText(
    "Wysyłanie faktur sprzedaży do KSeF",
  );
  await expect(page.getByTestId("status-credentials")).toHaveText(
    "Certyfikat KSeF wygasa za 6 dni",
  );
});

test("checking a certificate shows progress and can be cancelled", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  const panel = page.getByTestId("credentials-panel");
  await panel.getByTestId("credentials-switch").click();
  await panel.getByTestId("certificate-kind-pkcs12").click();
  await expect(panel.getByTestId("certificate-key-path")).toHaveCount(0);
  await panel.getByTestId("certificate-path").fill("/home/anna/pieczec.p12");
  await panel.getByTestId("certificate-password").fill("slow");
  await panel.getByTestId("certificate-submit").click();
  await expect(panel).toContainText("Sprawdzam certyfikat i loguję się do KSeF");
  await panel.getByRole("button", { name: "Anuluj" }).click();
  await expect(panel.getByTestId("certificate-error")).toBeVisible();
});
