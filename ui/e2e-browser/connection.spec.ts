import { expect, test } from "@playwright/test";

test("a company's token can be replaced and the company disconnected", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  const panel = page.getByTestId("connection-panel");
  await expect(page.getByTestId("connection-state")).toContainText("nie ma zapisanego tokenu");

  await page.getByTestId("replace-token").click();
  await page.getByTestId("replace-token-input").fill("expired");
  await page.getByTestId("replace-token-save").click();
  await expect(page.getByTestId("connection-error")).toContainText("Token jest nieaktywny");

  await page.getByTestId("replace-token-input").fill("sim-token-full");
  await page.getByTestId("replace-token-save").click();
  await expect(page.getByTestId("connection-notice")).toHaveText(
    "Nowy token działa i został zapisany.",
  );
  await expect(page.getByTestId("status-connection")).toHaveText("Połączono z KSeF");
  await expect(panel.getByTestId("replace-token-input")).toHaveCount(0);

  await page.getByTestId("disconnect").click();
  await page.getByTestId("disconnect-confirm").click();
  await expect(page.getByTestId("connection-notice")).toContainText("Firma jest odłączona");
  await expect(page.getByTestId("status-connection")).toHaveText("Nie połączono z KSeF");
});

test("an admin lists the company's KSeF tokens and revokes one", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  // The list needs a working connection.
  await expect(page.getByTestId("tokens-panel")).toHaveCount(0);
  await page.getByTestId("replace-token").click();
  await page.getByTestId("replace-token-input").fill("sim-token-full");
  await page.getByTestId("replace-token-save").click();
  await expect(page.getByTestId("status-connection")).toHaveText("Połączono z KSeF");

  await page.getByTestId("tokens-load").click();
  const list = page.getByTestId("tokens-list");
  await expect(list.locator("li")).toHaveCount(2);
  await expect(list.locator("li").first()).toContainText("Używany przez aplikację");
  await expect(list.locator("li").first()).toContainText(
    "Wystawianie faktur · Przeglądanie faktur",
  );

  const old = list.locator("li", { hasText: "Stary program księgowy" });
  await old.getByTestId("token-revoke").click();
  await expect(old).toContainText("stracą dostęp do KSeF");
  await old.getByTestId("token-revoke-confirm").click();
  await expect(page.getByTestId("tokens-notice")).toHaveText("Token unieważniony w KSeF.");
  await expect(old).toContainText("Unieważniony");
  await expect(old.getByTestId("token-revoke")).toHaveCount(0);
  await expect(page.getByTestId("status-connection")).toHaveText("Połączono z KSeF");
});

test("the demo profile can be reset after a confirmation", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-settings").click();
  await page.getByTestId("demo-reset").click();
  await expect(page.getByTestId("demo-reset-panel")).toContainText(
    "Aplikacja uruchomi się ponownie",
  );
  await page.getByTestId("demo-reset-confirm").click();
  await expect(page.getByTestId("demo-resetting")).toContainText("ponowne uruchamianie");
});
