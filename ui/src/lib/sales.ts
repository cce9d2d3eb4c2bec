// Sales helpers: the empty form, status badges, amount filters. Pure and unit-tested;
// the backend validates and computes for real.
import type {
  DraftLineDto,
  InvoiceDraftDto,
  SalesDocumentDto,
  SalesQueryDto,
  SalesStatusDto,
} from "./bindings";

export const VAT_RATES = ["23", "8", "5", "0 KR", "0 WDT", "0 EX", "zw", "oo", "np I"] as const;
export const STATUSES: readonly SalesStatusDto[] = [
  "draft",
  "issued",
  "queued",
  "sending",
  "accepted",
  "rejected",
];
export const PAGE_SIZE = 100;

export function emptyLine(): DraftLineDto {
  return { name: "", unit: "szt.", quantity: "1", unitPrice: "", rate: "23" };
}

/** A new invoice: issued and sold today (a Polish calendar day), as nearly every one is. */
export function emptyDraft(today: string): InvoiceDraftDto {
  return {
    contractorId: null,
    issueDate: today,
    saleDate: today,
    dueDate: null,
    currency: "PLN",
    exchangeRate: "",
    pricesGross: false,
    lines: [emptyLine()],
    bankAccount: "",
    splitPayment: false,
    notes: "",
    correctionReason: "",
  };
}

export function defaultQuery(): SalesQueryDto {
  return {
    statuses: [],
    issuedFrom: null,
    issuedTo: null,
    contractorId: null,
    minGrossMinor: null,
    maxGrossMinor: null,
    text: null,
    sort: "updated",
    descending: true,
    offset: 0,
    limit: PAGE_SIZE,
  };
}

export type Tone = "neutral" | "accent" | "success" | "warning" | "danger";

/** The badge of a document: UPO received is the last, best state. */
export function statusBadge(doc: Pick<SalesDocumentDto, "status" | "upoReceivedAt">): {
  key: string;
  tone: Tone;
} {
  switch (doc.status) {
    case "accepted":
      return doc.upoReceivedAt
        ? { key: "sales.status.upo", tone: "success" }
        : { key: "sales.status.accepted", tone: "success" };
    case "rejected":
      return { key: "sales.status.rejected", tone: "danger" };
    case "queued":
    case "sending":
      return { key: `sales.status.${doc.status}`, tone: "warning" };
    case "issued":
      return { key: "sales.status.issued", tone: "accent" };
    default:
      return { key: "sales.status.draft", tone: "neutral" };
  }
}

/** "1 234,50" zł typed in a filter, as grosze; `null` for empty or not a number. */
export function amountToMinor(input: string): number | null {
  const compact = input.replace(/[\s\u00a0]/g, "").replace(",", ".");
  if (compact === "" || !/^-?\d+(\.\d{0,2})?$/.test(compact)) return null;
  return Math.round(Number(compact) * 100);
}

/** A decimal string from the backend ("1230.00") as grosze. */
export function decimalToMinor(value: string): number {
  return Math.round(Number(value) * 100);
}

/** Which pages (of PAGE_SIZE rows) cover rows first..last. */
export function pagesFor(first: number, last: number): number[] {
  const from = Math.max(0, Math.floor(first / PAGE_SIZE));
  const to = Math.max(from, Math.floor(Math.max(first, last) / PAGE_SIZE));
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The hint shown with a KSeF rejection, by its code. */
export function rejectionHintKey(code: number | null): string {
  if (code === 450) return "sales.document.rejectedHint450";
  if (code === 440) return "sales.document.rejectedHint440";
  return "sales.document.rejectedHintOther";
}
