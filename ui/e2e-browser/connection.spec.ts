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
