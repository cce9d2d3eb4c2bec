import { expect, test } from "@playwright/test";

// Dates as a Polish bookkeeper reads and types them: DD.MM.RRRR everywhere.
const warsawToday = () => {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Warsaw",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("day")}.${part("month")}.${part("year")}`;
};

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-sales").click();
  await expect(page.getByTestId("sales-list")).toBeVisible();
});

test("a new invoice is dated today, written DD.MM.RRRR, and an empty date looks empty", async ({
  page,
}) => {
  await page.getByTestId("new-invoice").click();
  await expect(page.getByTestId("issue-date")).toHaveValue(warsawToday());
  await expect(page.getByTestId("sale-date")).toHaveValue(warsawToday());
  await expect(page.getByTestId("due-date")).toHaveValue("");
  await expect(page.getByTestId("due-date")).toHaveAttribute("placeholder", "DD.MM.RRRR");
});

test("typed dates are read the Polish way and wrong ones are named", async ({ page }) => {
  await page.getByTestId("new-invoice").click();
  const due = page.getByTestId("due-date");
  await due.fill("5.1.2027");
  await due.press("Tab");
  await expect(due).toHaveValue("05.01.2027");
  await due.fill("31.02.2027");
  await due.press("Tab");
  await expect(page.getByTestId("due-date-error")).toHaveText("Taki dzień nie istnieje");
  await due.fill("jutro");
  await due.press("Tab");
  await expect(page.getByTestId("due-date-error")).toHaveText("Wpisz datę jako DD.MM.RRRR");
  await due.fill("");
  await due.press("Tab");
  await expect(page.getByTestId("due-date-error")).toHaveCount(0);
});

test("the calendar picks a day, and Esc closes only the calendar", async ({ page }) => {
  await page.getByTestId("new-invoice").click();
  await page.getByTestId("due-date").fill("10.12.2026");
  await page.getByTestId("due-date").press("Tab");
  await page.getByTestId("due-date-calendar").click();
  const calendar = page.getByRole("dialog", { name: "Termin płatności" });
  await expect(calendar).toContainText("grudzień 2026");
  await page.keyboard.press("Escape");
  await expect(calendar).toHaveCount(0);
  await expect(page.getByTestId("invoice-editor")).toBeVisible();
  await page.getByTestId("due-date-calendar").click();
  await calendar.getByRole("button", { name: "Następny miesiąc" }).click();
  await calendar.getByRole("button", { name: "08.01.2027" }).click();
  await expect(page.getByTestId("due-date")).toHaveValue("08.01.2027");
});

test("opening a new invoice and going back leaves no empty draft", async ({ page }) => {
  const drafts = await page.getByTestId("sales-list").getByText("Szkic").count();
  await page.getByTestId("new-invoice").click();
  await expect(page.getByTestId("issue-date")).toHaveValue(warsawToday());
  await page.waitForTimeout(800); // longer than the autosave pause
  await page.getByTestId("back-to-list").click();
  await expect(page.getByTestId("sales-list")).toBeVisible();
  await expect(page.getByTestId("sales-list").getByText("Szkic")).toHaveCount(drafts);
});

test("lists and details show days as DD.MM.RRRR", async ({ page }) => {
  await expect(page.getByTestId("sales-row-1")).toContainText(/\d{2}\.\d{2}\.\d{4}/);
  await expect(page.getByTestId("sales-row-1")).not.toContainText(/\d{4}-\d{2}-\d{2}/);
  await page.getByTestId("sales-row-1").click();
  await expect(page.getByTestId("history")).toContainText(/\d{1,2}\.\d{2}\.\d{4}, \d{2}:\d{2}/);
});
