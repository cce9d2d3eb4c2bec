import { expect, test } from "@playwright/test";

/** Settings of the demo company, connected (the panel needs a working connection). */
async function settingsOnline(page: import("@playwright/test").Page) {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  await expect(page.getByTestId("ksef-certs-panel")).toHaveCount(0);
  await page.getByTestId("replace-token").click();
  await page.getByTestId("replace-token-input").fill("sim-token-full");
  await page.getByTestId("replace-token-save").click();
  await expect(page.getByTestId("status-connection")).toHaveText("Połączono z KSeF");
}

test("a token company sees its certificates and limits but is told enrolment needs a certificate sign-in", async ({
  page,
}) => {
  await settingsOnline(page);
  const panel = page.getByTestId("ksef-certs-panel");
  await expect(panel).toContainText("Certyfikaty KSeF");
  await panel.getByTestId("ksef-certs-load").click();
  await expect(panel.getByTestId("ksef-certs-list").locator("li")).toHaveCount(2);
  await expect(panel.getByTestId("ksef-certs-limits")).toHaveText(
    "Limit: 2 z 3 certyfikatów, pozostało wniosków: 4 z 6",
  );
  await expect(panel.getByTestId("ksef-certs-needs-certificate")).toContainText(
    "KSeF wydaje certyfikaty tylko po logowaniu certyfikatem",
  );
  await expect(panel.getByTestId("ksef-certs-enroll")).toHaveCount(0);
  await expect(panel.getByTestId("ksef-cert-renew")).toHaveCount(0);
});

test("an administrator on a certificate enrols one to sign in with and revokes the old one", async ({
  page,
}) => {
  await settingsOnline(page);
  // Move the company to a certificate first (KSeF enrols only after a certificate sign-in).
  const credentials = page.getByTestId("credentials-panel");
  await credentials.getByTestId("credentials-switch").click();
  await credentials.getByTestId("certificate-choose").click();
  await credentials.getByTestId("certificate-key-choose").click();
  await credentials.getByTestId("certificate-password").fill("Tajne-Haslo");
  await credentials.getByTestId("certificate-submit").click();
  await expect(credentials.getByTestId("credentials-method")).toHaveText("Certyfikat KSeF");

  const panel = page.getByTestId("ksef-certs-panel");
  await panel.getByTestId("ksef-certs-load").click();
  await panel.getByTestId("ksef-certs-enroll").click();
  await expect(panel.getByTestId("ksef-certs-submit")).toBeDisabled();
  // While KSeF is issuing, the step shows and Cancel ends the wait.
  await panel.getByTestId("ksef-certs-name").fill("Wolny laptop");
  await panel.getByTestId("ksef-certs-submit").click();
  await expect(panel.getByTestId("ksef-certs-busy")).toHaveText(
    "Czekanie, aż KSeF wyda certyfikat…",
  );
  await panel.getByTestId("ksef-certs-cancel").click();
  await expect(panel.getByTestId("ksef-certs-busy")).toHaveCount(0);
  await expect(panel.getByTestId("ksef-certs-error")).toHaveCount(0);
  await panel.getByTestId("ksef-certs-name").fill("Laptop biuro");
  await expect(panel.getByTestId("ksef-certs-sign-in")).toBeChecked();
  await panel.getByTestId("ksef-certs-submit").click();
  await expect(panel.getByTestId("ksef-certs-notice")).toContainText("firma loguje się teraz nim");
  const list = panel.getByTestId("ksef-certs-list");
  const fresh = list.locator("li", { hasText: "Laptop biuro" });
  await expect(fresh).toContainText("Logowanie aplikacji");
  await expect(fresh).toContainText("Klucz w tej aplikacji");
  await expect(panel.getByTestId("ksef-certs-limits")).toHaveText(
    "Limit: 3 z 3 certyfikatów, pozostało wniosków: 3 z 6",
  );
  await expect(panel.getByTestId("ksef-certs-limit-reached")).toBeVisible();

  const old = list.locator("li", { hasText: "Certyfikat Anny Nowak" });
  await expect(old).not.toContainText("Logowanie aplikacji");
  await old.getByTestId("ksef-cert-revoke").click();
  await expect(old).toContainText("Unieważnić ten certyfikat?");
  await old.getByTestId("ksef-cert-revoke-confirm").click();
  await expect(panel.getByTestId("ksef-certs-notice")).toHaveText(
    "Certyfikat unieważniony w KSeF.",
  );
  await expect(old).toContainText("Unieważniony");
  await expect(old.getByTestId("ksef-cert-revoke")).toHaveCount(0);
});

test("in English: revoking the certificate the app signs in with warns first", async ({ page }) => {
  await settingsOnline(page);
  await page.getByTestId("locale-en").click();
  const panel = page.getByTestId("ksef-certs-panel");
  await panel.getByTestId("ksef-certs-load").click();
  const own = panel.getByTestId("ksef-certs-list").locator("li").first();
  await own.getByTestId("ksef-cert-revoke").click();
  await expect(panel).toContainText("KSeF certificates");
  await expect(own).toContainText("The app signs in with it");
  await expect(own).toContainText("once revoked, the company is disconnected from KSeF");
  await own.getByTestId("ksef-cert-revoke-confirm").click();
  await expect(panel.getByTestId("ksef-certs-notice")).toHaveText(
    "Certificate revoked. The company is disconnected from KSeF — set up a new sign-in.",
  );
  await expect(panel.getByTestId("ksef-certs-list")).toHaveCount(0);
});
