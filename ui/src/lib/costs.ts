// The costs inbox's logic: due-date states, the workflow's next steps, amount
// input, and the page cache behind the virtual list. Plain, unit-tested TypeScript.
import type { CostDto, CostStageDto } from "./bindings";
import { addDays } from "./dates";

export type DueState = "overdue" | "dueSoon" | "due" | "settled" | "none";

/** Days before the due date that count as "due soon" (the store counts the same). */
export const DUE_SOON_DAYS = 3;

/** Whether a cost's due date needs attention on `today` (both `YYYY-MM-DD`). */
export function dueState(dueDate: string | null, stage: CostStageDto, today: string): DueState {
  if (stage === "paid" || stage === "rejected") return "settled";
  if (!dueDate) return "none";
  if (dueDate < today) return "overdue";
  return dueDate <= addDays(today, DUE_SOON_DAYS) ? "dueSoon" : "due";
}

export type CostStep = "describe" | "submit" | "approve" | "reject" | "pay";

/** The steps the workflow allows from `stage` (the backend enforces the same). */
export function nextSteps(stage: CostStageDto): CostStep[] {
  switch (stage) {
    case "new":
      return ["describe"];
    case "described":
      return ["describe", "submit"];
    case "awaitingApproval":
      return ["approve", "reject"];
    case "approved":
    case "partiallyPaid":
      return ["pay"];
    case "rejected":
      return ["describe"];
    case "paid":
      return [];
  }
}

/**
 * An amount typed in a filter ("1 234,56", "1234.5") in minor units, `null` for
 * an empty field, `undefined` when it is not an amount.
 */
export function amountToMinor(text: string): number | null | undefined {
  const cleaned = text.replace(/[\s\u00a0]/g, "").replace(",", ".");
  if (cleaned === "") return null;
  if (!/^\d{1,13}(\.\d{0,2})?$/.test(cleaned)) return undefined;
  const [whole, fraction = ""] = cleaned.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** Minor units as the payment form's default amount: 1234,56. */
export function minorToInput(minor: number): string {
  const abs = Math.abs(minor);
  return `${minor < 0 ? "-" : ""}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
}

/** What is left to pay. */
export function remainingMinor(cost: Pick<CostDto, "grossMinor" | "paidMinor">): number {
  return Math.max(0, cost.grossMinor - cost.paidMinor);
}

/** Bank accounts in groups of four, as printed on invoices. */
export function formatAccount(account: string): string {
  const match = /^([A-Z]{2})?(\d{26})$/.exec(account);
  if (!match) return account;
  const [, country = "", digits] = match;
  return `${country}${digits.slice(0, 2)} ${digits.slice(2).replace(/(\d{4})(?=\d)/g, "$1 ")}`;
}

/** Tags typed as one line: "biuro, pilne" → ["biuro", "pilne"]. */
export function splitTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * The rows of a long list, fetched a page at a time as they scroll into view and
 * kept; a new filter means a new cache. Never holds more than `maxPages` pages.
 */
export class PageCache<T> {
  private pages = new Map<number, T[]>();
  private loading = new Map<number, Promise<void>>();

  constructor(
    readonly pageSize: number,
    private readonly fetchPage: (offset: number, limit: number) => Promise<T[]>,
    private readonly maxPages = 20,
  ) {}

  get(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Makes sure rows `from..to` are loaded; resolves when they are. */
  async ensure(from: number, to: number): Promise<void> {
    const first = Math.floor(Math.max(0, from) / this.pageSize);
    const last = Math.floor(Math.max(0, to) / this.pageSize);
    const waits: Promise<void>[] = [];
    for (let page = first; page <= last; page++) {
      if (this.pages.has(page)) continue;
      let pending = this.loading.get(page);
      if (!pending) {
        pending = this.fetchPage(page * this.pageSize, this.pageSize)
          .then((rows) => {
            this.pages.set(page, rows);
            this.evict(first, last);
          })
          .finally(() => this.loading.delete(page));
        this.loading.set(page, pending);
      }
      waits.push(pending);
    }
    await Promise.all(waits);
  }

  /** Replaces one row in place (after a workflow step changed it). */
  update(match: (row: T) => boolean, next: T): void {
    for (const rows of this.pages.values()) {
      const index = rows.findIndex(match);
      if (index >= 0) rows[index] = next;
    }
  }

  get pageCount(): number {
    return this.pages.size;
  }

  private evict(first: number, last: number): void {
    if (this.pages.size <= this.maxPages) return;
    const far = [...this.pages.keys()].sort(
      (a, b) => distance(b, first, last) - distance(a, first, last),
    );
    for (const page of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(page);
  }
}

function distance(page: number, first: number, last: number): number {
  return page < first ? first - page : page > last ? page - last : 0;
}

/**
 * A workflow step's stored detail (`category=IT; cost_centre=Biuro`) as a sentence
 * part a bookkeeper reads: "IT, MPK Biuro". Unknown shapes are shown as they are.
 */
export function plainStepDetail(
  action: string,
  detail: string,
  translate: (key: string, options?: Record<string, unknown>) => string,
  formatDay: (day: string) => string,
): string {
  if (action === "retrieved" || action === "downloaded") return "";
  if (action === "approve" && detail === "unknown_supplier_confirmed") {
    return translate("costs.step.unknown_supplier_confirmed");
  }
  const pairs = detail.split("; ").map((part) => {
    const at = part.indexOf("=");
    return at > 0 ? ([part.slice(0, at), part.slice(at + 1)] as const) : null;
  });
  if (pairs.length === 0 || pairs.some((pair) => pair === null)) return detail;
  const fields = new Map(pairs as (readonly [string, string])[]);
  const parts: string[] = [];
  if (action === "describe") {
    if (fields.get("category")) parts.push(fields.get("category") ?? "");
    if (fields.get("cost_centre"))
      parts.push(translate("costs.plain.costCentre", { centre: fields.get("cost_centre") }));
    if (fields.get("tags"))
      parts.push(
        translate("costs.plain.tags", { tags: (fields.get("tags") ?? "").split(",").join(", ") }),
      );
  } else if (action === "pay") {
    if (fields.get("amount")) parts.push(fields.get("amount") ?? "");
    const paidOn = fields.get("paid_on");
    if (paidOn) parts.push(formatDay(paidOn));
    const method = fields.get("method");
    if (method) parts.push(translate(`costs.method.${method}`, { defaultValue: method }));
    if (fields.get("reference"))
      parts.push(translate("costs.plain.reference", { reference: fields.get("reference") }));
  } else {
    return detail;
  }
  return parts.join(", ");
}
