import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

// Automated WCAG 2 AA checks (axe-core) over the main screens; serious and critical
// findings fail. Contrast is the one a bookkeeper notices first.
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("page-dashboard")).toBeVisible();
});

test("the dashboard passes WCAG AA checks", async ({ page }) => {
  expect(await seriousViolations(page)).toEqual([]);
});

test("the sales list and the invoice form pass WCAG AA checks", async ({ page }) => {
  await page.getByTestId("nav-sales").click();
  await expect(page.getByTestId("sales-list")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId("new-invoice").click();
  await expect(page.getByTestId("invoice-editor")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the cost inbox passes WCAG AA checks", async ({ page }) => {
  await page.getByTestId("nav-costs").click();
  await expect(page.getByTestId("costs-inbox")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the settings pass WCAG AA checks", async ({ page }) => {
  await page.getByTestId("nav-settings").click();
  await expect(page.getByTestId("page-title")).toHaveText("Ustawienia");
  expect(await seriousViolations(page)).toEqual([]);
});
