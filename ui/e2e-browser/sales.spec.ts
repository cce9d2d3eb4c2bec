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
  await expect(page.getByTestId("upo")).toContainText("Ministerstwo Finansów");
  await expect(page.getByTestId("history")).toContainText("Odebrano UPO");
  await page.getByTestId("save-upo").click();
  await expect(page.getByTestId("document-notice")).toContainText("UPO-5265877635");
});

test("shows KSeF's rejection with its code and what to do", async ({ page }) => {
  await page.getByTestId("sales-row-2").click();
  await expect(page.getByTestId("rejection")).toContainText("kod 450");
  await expect(page.getByTestId("rejection")).toContainText("nowy dokument");
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
