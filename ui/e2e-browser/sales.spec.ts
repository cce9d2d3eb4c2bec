import { expect, test } from "@playwright/test";

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-sales").click();
  await expect(page.getByTestId("sales-list")).toBeVisible();
});

test("lists documents with statuses and opens one with its KSeF number and UPO", async ({
  page,
}) => {
  await expect(page.getByTestId("eod-banner")).toContainText("18:00");
  const accepted = page.getByTestId("sales-row-1");
  await expect(accepted).toContainText("FV/1/11/2026");
  await expect(accepted).toContainText("UPO odebrane");
  await expect(page.getByTestId("sales-row-2")).toContainText("Odrzucona");
  await accepted.click();
  await expect(page.getByTestId("ksef-number")).toContainText("5265877635-20261125");
  // The built-in simulator's UPO carries the Ministry's name (the XSD fixes it); the
  // app never lets a demo UPO pass for an official one.
  await expect(page.getByTestId("upo-receiver")).toContainText("Symulator KSeF");
  await expect(page.getByTestId("upo")).not.toContainText("Ministerstwo Finansów");
  const history = page.getByTestId("history");
  await expect(history).toContainText("Odebrano UPO");
  await expect(history).toContainText("KSeF przyjął fakturę i nadał numer KSeF");
  // Identifiers and operation names wait behind "Szczegóły techniczne".
  await expect(history.getByText("sessions.invoice.status", { exact: false })).toBeHidden();
  for (const summary of await history.locator("summary").all()) await summary.click();
  await expect(history.getByText(/sessions\.invoice\.status/).first()).toBeVisible();
  await page.getByTestId("save-upo").click();
  await expect(page.getByTestId("document-notice")).toContainText("UPO-5265877635");
});

test("shows KSeF's rejection with its code and what to do", async ({ page }) => {
  await page.getByTestId("sales-row-2").click();
  await expect(page.getByTestId("rejection")).toContainText("kod 450");
  await expect(page.getByTestId("rejection")).toContainText("nowy dokument");
  await page.getByTestId("redraft").click();
  await expect(page.getByTestId("invoice-editor")).toBeVisible();
  await expect(page.getByTestId("line-0-name")).toHaveValue("Ulotki");
});

test("issues an invoice from the keyboard-friendly form and sends it", async ({ page }) => {
  await page.getByTestId("new-invoice").click();
  await page.getByTestId("buyer-search").fill("kalamarz");
  await page.getByTestId("buyer-search").press("Enter");
  await expect(page.getByTestId("buyer-chosen")).toContainText("Kałamarz");
  await page.getByTestId("line-0-name").fill("Konsultacja");
  await page.getByTestId("line-0-quantity").fill("2");
  await page.getByTestId("line-0-price").fill("100");
  await expect(page.getByTestId("total-gross")).toContainText("246,00");
  await page.getByTestId("line-0-price").press("Enter");
  await expect(page.getByTestId("line-1-name")).toBeFocused();
  await page.getByTestId("line-1-name").fill("Dojazd");
  await page.getByTestId("line-1-price").fill("50");
  await expect(page.getByTestId("total-gross")).toContainText("307,50");
  await expect(page.getByTestId("autosave-state")).toContainText("Zapisano szkic");
  await page.keyboard.press("Control+Enter");
  await expect(page.getByTestId("document-number")).toHaveText(/FV\/\d+\/11\/2026/);
  await page.getByTestId("send-now").click();
  await expect(page.getByTestId("ksef-number")).toContainText("5265877635", { timeout: 5000 });
  await expect(page.getByTestId("upo")).toBeVisible();
});

test("catches a Polish NIP typed as an EU VAT number before it reaches KSeF", async ({ page }) => {
  await page.getByTestId("new-invoice").click();
  await page.getByTestId("buyer-search").fill("nikt");
  await page.getByTestId("buyer-add").dispatchEvent("mousedown");
  await page.getByTestId("contractor-nip").fill("5265877636");
  await expect(page.getByTestId("contractor-nip-hint")).toContainText("cyfrę kontrolną");
  await page.getByTestId("contractor-nip").fill("");
  await page.getByTestId("contractor-eu").fill("PL5265877635");
  await expect(page.getByTestId("contractor-eu-hint")).toContainText("nie zobaczy faktury");
  await page.getByTestId("contractor-name").fill("Kupiec");
  await page.getByTestId("contractor-save").click();
  await expect(page.getByTestId("contractor-error")).toContainText("polski NIP");
});

test("the end-of-day time is a per-company setting that must end the same day", async ({
  page,
}) => {
  await page.getByTestId("nav-settings").click();
  await expect(page.getByTestId("eod-enabled")).toBeChecked();
  await page.getByTestId("eod-time").fill("23:30");
  await page.getByTestId("sales-settings-save").click();
  await expect(page.getByTestId("sales-settings-error")).toContainText("najpóźniej 23:00");
  await page.getByTestId("eod-time").fill("17:30");
  await page.getByTestId("sales-settings-save").click();
  await page.getByTestId("nav-sales").click();
  await expect(page.getByTestId("eod-banner")).toContainText("17:30");
});

test("a draft saves itself and can be deleted", async ({ page }) => {
  await page.getByTestId("new-invoice").click();
  await page.getByTestId("line-0-name").fill("Coś do usunięcia");
  await expect(page.getByTestId("autosave-state")).toContainText("Zapisano szkic");
  await page.getByTestId("back-to-list").click();
  await expect(page.getByTestId("sales-list")).toContainText("Szkic");
  const drafts = await page.getByTestId("sales-list").getByText("Szkic").count();
  await page.getByTestId("sales-list").getByText("Szkic").first().click();
  await expect(page.getByTestId("line-0-name")).toHaveValue("Coś do usunięcia");
  await page.getByTestId("delete-draft").click();
  await expect(page.getByTestId("sales-list")).toBeVisible();
  await expect(page.getByTestId("sales-list").getByText("Szkic")).toHaveCount(drafts - 1);
});
