// Mock IPC of the costs inbox: 100 000 generated cost invoices (enough to prove the
// virtual list), the workflow with its guards, and a retrieval that adds a few.
import type {
  CostDetailDto,
  CostDto,
  CostInboxCountsDto,
  CostPageDto,
  CostQueryDto,
  CostStepDto,
  CostSyncReportDto,
  CostSyncStatusDto,
  IpcError,
  PaymentInputDto,
  CostDescriptionDto,
  CostPaymentDto,
} from "../bindings";
import { amountToMinor, dueState } from "../costs";
import { addDays, todayInPoland } from "../dates";
import { foldForSearch } from "../format";
import type { AreaMock } from "./areas";

export const MOCK_COST_COUNT = 100_000;

const SUPPLIERS: [nip: string, name: string, trusted: boolean][] = [
  ["7740001454", "Hurtownia Papiernicza Kałamarz S.A.", true],
  ["9542751368", "Biuro Rachunkowe Księgowa Sp. j.", true],
  ["6793108059", "Serwis IT Bajt Sp. z o.o.", false],
  ["8992689516", "Drukarnia Świt s.c.", false],
  ["1860913901", "Przedsiębiorstwo Transportowe Wóz s.c.", false],
  ["9935181904", "Agencja Reklamowa Żuraw Sp. z o.o.", false],
];

const trusted = new Set(SUPPLIERS.filter(([, , t]) => t).map(([nip]) => nip));
const steps = new Map<number, CostStepDto[]>();
const payments = new Map<number, CostPaymentDto[]>();
let costs: CostDto[] | null = null;
let stepId = 1;
let retrieved = 0;
let lastRunAt: string | null = "2026-11-25T07:45:00Z";

function account(nip: string): string {
  return `${nip}${nip}${nip}`.slice(0, 26).padStart(26, "0");
}

function generate(index: number, today: string): CostDto {
  const [nip, name] = SUPPLIERS[index % SUPPLIERS.length];
  const id = index + 1;
  const net = 5_000 + ((index * 7919) % 500_000);
  const vat = Math.round(net * 0.23);
  const issue = addDays(today, -Math.floor(index / 40) - 1);
  const stage =
    index < 40
      ? "new"
      : index % 9 === 0
        ? "awaitingApproval"
        : index % 9 === 1
          ? "approved"
          : "paid";
  return {
    id,
    ksefNumber: `${nip}-20261124-${String(id).padStart(12, "0")}-AF`,
    supplierNip: nip,
    supplierName: name,
    number: `FV/${id}/2026`,
    invoiceKind: "Vat",
    issueDate: issue,
    saleDate: issue,
    dueDate: addDays(issue, 14),
    currency: "PLN",
    netMinor: net,
    vatMinor: vat,
    grossMinor: net + vat,
    paidMinor: stage === "paid" ? net + vat : 0,
    content: index === 3 ? "unreadable" : "parsed",
    contentProblem: index === 3 ? "XML: unexpected end of document" : null,
    downloadError: null,
    bankAccount: index === 5 ? "PL61109010140000071219812874" : account(nip),
    paymentForm: "6",
    splitPayment: index % 50 === 7,
    stage,
    category: stage === "new" ? null : "Materiały biurowe",
    costCentre: null,
    note: null,
    tags: [],
    rejectionReason: null,
    receivedAt: `${issue}T09:00:00Z`,
    supplierTrusted: trusted.has(nip),
    firstFromSupplier: index < SUPPLIERS.length,
    newBankAccount: index === 5,
  };
}

function all(): CostDto[] {
  if (!costs) {
    const today = todayInPoland();
    costs = Array.from({ length: MOCK_COST_COUNT }, (_, i) => generate(i, today));
  }
  return costs;
}

function fail(kind: IpcError["kind"], code: string, message: string): never {
  throw { kind, code, message, fields: [] } satisfies IpcError;
}

function find(id: unknown): CostDto {
  const cost = all()[Number(id) - 1];
  if (!cost) fail("notFound", "not_found", `Nie znaleziono: dokument kosztowy (nr ${id}).`);
  return cost;
}

function record(id: number, action: string, detail = ""): void {
  const list = steps.get(id) ?? [];
  list.push({
    id: stepId++,
    at: new Date().toISOString(),
    user: "Użytkownik demo",
    action,
    detail,
  });
  steps.set(id, list);
}

function history(cost: CostDto): CostStepDto[] {
  const base: CostStepDto[] = [
    { id: -2, at: cost.receivedAt, user: null, action: "retrieved", detail: "buyer" },
    {
      id: -1,
      at: cost.receivedAt,
      user: null,
      action: cost.content === "unreadable" ? "unreadable" : "downloaded",
      detail: cost.contentProblem ?? "",
    },
  ];
  return [...base, ...(steps.get(cost.id) ?? [])];
}

function guard(cost: CostDto, allowed: CostDto["stage"][]): void {
  if (!allowed.includes(cost.stage)) {
    fail("conflict", "cost_step_not_allowed", "Nie można wykonać tego kroku w tym stanie.");
  }
}

function matches(cost: CostDto, query: CostQueryDto, today: string): boolean {
  if (query.stages.length > 0 && !query.stages.includes(cost.stage)) return false;
  if (query.dueFrom && (!cost.dueDate || cost.dueDate < query.dueFrom)) return false;
  if (query.dueTo && (!cost.dueDate || cost.dueDate > query.dueTo)) return false;
  if (query.grossMinMinor !== null && cost.grossMinor < query.grossMinMinor) return false;
  if (query.grossMaxMinor !== null && cost.grossMinor > query.grossMaxMinor) return false;
  for (const flag of query.flags) {
    const due = dueState(cost.dueDate, cost.stage, today);
    const ok = {
      unknownSupplier: !cost.supplierTrusted,
      firstInvoice: cost.firstFromSupplier,
      newBankAccount: cost.newBankAccount,
      unreadable: cost.content === "unreadable",
      overdue: due === "overdue",
      dueSoon: due === "dueSoon",
    }[flag];
    if (!ok) return false;
  }
  if (query.search) {
    const needle = foldForSearch(query.search);
    const hay = foldForSearch(
      [cost.supplierName, cost.supplierNip, cost.number, cost.ksefNumber, cost.note]
        .filter(Boolean)
        .join(" "),
    );
    if (!hay.includes(needle)) return false;
  }
  return true;
}

function sorted(list: CostDto[], sort: CostQueryDto["sort"]): CostDto[] {
  const by = {
    received: (a: CostDto, b: CostDto) => b.id - a.id,
    dueDate: (a: CostDto, b: CostDto) =>
      (a.dueDate ?? "9").localeCompare(b.dueDate ?? "9") || a.id - b.id,
    issueDate: (a: CostDto, b: CostDto) =>
      (b.issueDate ?? "").localeCompare(a.issueDate ?? "") || b.id - a.id,
    amount: (a: CostDto, b: CostDto) => b.grossMinor - a.grossMinor || b.id - a.id,
  }[sort];
  return [...list].sort(by);
}

function counts(): CostInboxCountsDto {
  const today = todayInPoland();
  const c: CostInboxCountsDto = {
    total: 0,
    toDescribe: 0,
    awaitingApproval: 0,
    toPay: 0,
    toPayMinor: 0,
    overdue: 0,
    dueSoon: 0,
    unknownSupplier: 0,
    unreadable: 0,
    pendingDownload: 0,
  };
  for (const cost of all()) {
    c.total += 1;
    if (cost.stage === "new") c.toDescribe += 1;
    if (cost.stage === "awaitingApproval") c.awaitingApproval += 1;
    if (cost.stage === "approved" || cost.stage === "partiallyPaid") {
      c.toPay += 1;
      c.toPayMinor += cost.grossMinor - cost.paidMinor;
    }
    const due = dueState(cost.dueDate, cost.stage, today);
    if (due === "overdue") c.overdue += 1;
    if (due === "dueSoon") c.dueSoon += 1;
    if (!cost.supplierTrusted) c.unknownSupplier += 1;
    if (cost.content === "unreadable") c.unreadable += 1;
  }
  return c;
}

function visualisation(cost: CostDto): string | null {
  if (cost.content !== "parsed") return null;
  return `<!doctype html><html lang="pl"><body style="font-family:sans-serif;padding:24px">
<h1>Faktura VAT ${cost.number}</h1><p>Numer KSeF: ${cost.ksefNumber}</p>
<p>Sprzedawca: ${cost.supplierName}, NIP ${cost.supplierNip}</p>
<p>Do zapłaty: ${(cost.grossMinor / 100).toFixed(2)} ${cost.currency}</p></body></html>`;
}

function pay(cost: CostDto, payment: PaymentInputDto): void {
  guard(cost, ["approved", "partiallyPaid"]);
  const amount = amountToMinor(payment.amount);
  if (typeof amount !== "number" || amount <= 0) {
    throw {
      kind: "validation",
      code: "invalid_input",
      message: `„${payment.amount}” nie jest kwotą.`,
      fields: [
        {
          field: "amount",
          code: "amount_invalid",
          message: `„${payment.amount}” nie jest kwotą. Wpisz np. 1 234,56.`,
        },
      ],
    } satisfies IpcError;
  }
  const remaining = cost.grossMinor - cost.paidMinor;
  if (amount > remaining) {
    throw {
      kind: "validation",
      code: "invalid_input",
      message: "Kwota przekracza pozostałą do zapłaty.",
      fields: [
        {
          field: "amount",
          code: "amount_above_remaining",
          message: "Kwota przekracza pozostałą do zapłaty.",
        },
      ],
    } satisfies IpcError;
  }
  cost.paidMinor += amount;
  cost.stage = cost.paidMinor === cost.grossMinor ? "paid" : "partiallyPaid";
  const list = payments.get(cost.id) ?? [];
  list.push({
    id: list.length + 1,
    paidOn: payment.paidOn,
    amountMinor: amount,
    method: payment.method,
    reference: payment.reference,
    recordedBy: "Użytkownik demo",
    recordedAt: new Date().toISOString(),
  });
  payments.set(cost.id, list);
  record(
    cost.id,
    "pay",
    `amount=${(amount / 100).toFixed(2).replace(".", ",")} ${cost.currency}; paid_on=${payment.paidOn}; method=${payment.method}; reference=${payment.reference}`,
  );
}

export const costsMock: AreaMock = {
  handles: (cmd) =>
    [
      "list_costs",
      "cost_inbox_counts",
      "cost_detail",
      "cost_visualisation",
      "describe_cost",
      "submit_cost",
      "approve_cost",
      "reject_cost",
      "record_cost_payment",
      "set_supplier_trusted",
      "retrieve_costs",
      "cost_sync_status",
      "set_cost_sync_interval",
    ].includes(cmd),

  handle(cmd: string, a: Record<string, unknown>): unknown {
    const today = todayInPoland();
    switch (cmd) {
      case "list_costs": {
        const query = a.query as CostQueryDto;
        const list = sorted(
          all().filter((cost) => matches(cost, query, today)),
          query.sort,
        );
        return {
          total: list.length,
          offset: query.offset,
          rows: list.slice(query.offset, query.offset + query.limit),
        } satisfies CostPageDto;
      }
      case "cost_inbox_counts":
        return counts();
      case "cost_detail": {
        const cost = find(a.costId);
        return {
          cost,
          rates: [{ rate: "23% / 22%", netMinor: cost.netMinor, vatMinor: cost.vatMinor }],
          steps: history(cost),
          payments: payments.get(cost.id) ?? [],
          knownAccounts: cost.supplierNip ? [account(cost.supplierNip)] : [],
          warnings: [],
        } satisfies CostDetailDto;
      }
      case "cost_visualisation":
        return visualisation(find(a.costId));
      case "describe_cost": {
        const cost = find(a.costId);
        guard(cost, ["new", "described", "rejected"]);
        const d = a.description as CostDescriptionDto;
        if (d.category.trim() === "") {
          throw {
            kind: "validation",
            code: "invalid_input",
            message: "Wybierz lub wpisz kategorię kosztu.",
            fields: [
              {
                field: "category",
                code: "category_empty",
                message: "Wybierz lub wpisz kategorię kosztu.",
              },
            ],
          } satisfies IpcError;
        }
        Object.assign(cost, {
          stage: "described",
          category: d.category.trim(),
          costCentre: d.costCentre.trim() || null,
          note: d.note.trim() || null,
          tags: d.tags,
          rejectionReason: null,
        });
        // The same shape desk-core stores.
        record(
          cost.id,
          "describe",
          [
            `category=${cost.category}`,
            cost.costCentre ? `cost_centre=${cost.costCentre}` : "",
            cost.tags.length > 0 ? `tags=${cost.tags.join(",")}` : "",
          ]
            .filter(Boolean)
            .join("; "),
        );
        return cost;
      }
      case "submit_cost": {
        const cost = find(a.costId);
        guard(cost, ["described"]);
        cost.stage = "awaitingApproval";
        record(cost.id, "submit");
        return cost;
      }
      case "approve_cost": {
        const cost = find(a.costId);
        guard(cost, ["awaitingApproval"]);
        if (!cost.supplierTrusted && a.confirmUnknownSupplier !== true) {
          fail(
            "conflict",
            "unknown_supplier_not_confirmed",
            "Dostawca nie jest na liście zaufanych.",
          );
        }
        cost.stage = "approved";
        record(cost.id, "approve", cost.supplierTrusted ? "" : "unknown_supplier_confirmed");
        return cost;
      }
      case "reject_cost": {
        const cost = find(a.costId);
        guard(cost, ["awaitingApproval"]);
        const reason = String(a.reason ?? "").trim();
        if (reason === "") {
          throw {
            kind: "validation",
            code: "invalid_input",
            message: "Podaj powód odrzucenia.",
            fields: [{ field: "reason", code: "reason_empty", message: "Podaj powód odrzucenia." }],
          } satisfies IpcError;
        }
        cost.stage = "rejected";
        cost.rejectionReason = reason;
        record(cost.id, "reject", reason);
        return cost;
      }
      case "record_cost_payment": {
        const cost = find(a.costId);
        pay(cost, a.payment as PaymentInputDto);
        return cost;
      }
      case "set_supplier_trusted": {
        const cost = find(a.costId);
        const nip = cost.supplierNip ?? "";
        if (a.trusted === true) trusted.add(nip);
        else trusted.delete(nip);
        for (const c of all()) if (c.supplierNip === nip) c.supplierTrusted = a.trusted === true;
        record(cost.id, a.trusted === true ? "supplier_trusted" : "supplier_untrusted", nip);
        return cost;
      }
      case "retrieve_costs": {
        retrieved += 1;
        lastRunAt = new Date().toISOString();
        return {
          newDocuments: retrieved === 1 ? 3 : 0,
          downloaded: retrieved === 1 ? 3 : 0,
          unreadable: 0,
          failedDownloads: 0,
        } satisfies CostSyncReportDto;
      }
      case "cost_sync_status":
        return {
          running: null,
          intervalMinutes: 15,
          connected: true,
          syncedUpTo: lastRunAt,
          lastRunAt,
          lastSuccessAt: lastRunAt,
          lastError: null,
        } satisfies CostSyncStatusDto;
      case "set_cost_sync_interval":
        return a.minutes;
      default:
        return fail("internal", "ipc", `mock IPC: unknown command ${cmd}`);
    }
  },
};
