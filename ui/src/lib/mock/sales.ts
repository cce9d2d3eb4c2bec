// Mock IPC of the sales area: a small in-memory ledger that issues, "sends" (accepted
// at once with a KSeF number and UPO) and lists, typed by the bindings.
import type {
  ContractorDto,
  ContractorInputDto,
  DocumentEventDto,
  InvoiceDraftDto,
  IpcError,
  SalesDetailDto,
  SalesDocumentDto,
  SalesOverviewDto,
  SalesPageDto,
  SalesQueryDto,
  SalesSettingsDto,
  TotalsDto,
} from "../bindings";
import type { AreaMock, MockContext } from "./areas";

interface Doc {
  head: SalesDocumentDto;
  draft: InvoiceDraftDto;
  events: DocumentEventDto[];
}

const BUYERS: Record<number, { name: string; nip: string | null }> = {
  1: { name: "Hurtownia Papiernicza Kałamarz S.A.", nip: "7740001454" },
  2: { name: "Drukarnia Świt s.c.", nip: "8992689516" },
  3: { name: "Müller Bürobedarf GmbH", nip: "DE811569869" },
};

const RATES: Record<string, number> = { "23": 0.23, "8": 0.08, "5": 0.05 };

function totals(draft: InvoiceDraftDto): TotalsDto {
  const perRate = new Map<string, { net: number; gross: number }>();
  for (const line of draft.lines) {
    const quantity = Number(line.quantity.replace(",", "."));
    const price = Number(line.unitPrice.replace(/\s/g, "").replace(",", "."));
    if (!line.name || !(quantity > 0) || !(price >= 0) || line.unitPrice === "") continue;
    const rate = RATES[line.rate] ?? 0;
    const value = quantity * price;
    const net = draft.pricesGross ? value / (1 + rate) : value;
    const slot = perRate.get(line.rate) ?? { net: 0, gross: 0 };
    slot.net += net;
    slot.gross += net * (1 + rate);
    perRate.set(line.rate, slot);
  }
  const rows = [...perRate].map(([rate, v]) => ({
    rate,
    net: v.net.toFixed(2),
    vat: (v.gross - v.net).toFixed(2),
    gross: v.gross.toFixed(2),
  }));
  const sum = (key: "net" | "vat" | "gross") =>
    rows.reduce((acc, r) => acc + Number(r[key]), 0).toFixed(2);
  return { perRate: rows, net: sum("net"), vat: sum("vat"), gross: sum("gross") };
}

function validation(field: string, message: string): IpcError {
  return {
    kind: "validation",
    code: "invalid_input",
    message,
    fields: [{ field, code: field, message }],
  };
}

export function createSalesMock(): AreaMock {
  const docs = new Map<number, Doc>();
  let nextId = 1;
  let counter = 0;
  let settings: SalesSettingsDto = {
    endOfDayEnabled: true,
    endOfDayTime: "18:00",
    seriesPattern: "FV/{n}/{MM}/{YYYY}",
    seriesMonthly: true,
  };
  const now = () => new Date().toISOString();

  function put(draft: InvoiceDraftDto, id = nextId++): Doc {
    const existing = docs.get(id);
    const buyer = draft.contractorId ? BUYERS[draft.contractorId] : undefined;
    const sum = totals(draft);
    const head: SalesDocumentDto = {
      ...(existing?.head ?? {
        id,
        number: null,
        kind: "VAT",
        status: "draft",
        ksefNumber: null,
        acceptedAt: null,
        upoReceivedAt: null,
        rejectionCode: null,
        rejectionMessage: null,
        correctsId: null,
        sendMode: null,
        offlineMode: false,
      }),
      issueDate: draft.issueDate,
      dueDate: draft.dueDate,
      contractorId: draft.contractorId,
      buyerName: buyer?.name ?? "",
      buyerNip: buyer?.nip ?? null,
      currency: draft.currency || "PLN",
      netMinor: Math.round(Number(sum.net) * 100),
      vatMinor: Math.round(Number(sum.vat) * 100),
      grossMinor: Math.round(Number(sum.gross) * 100),
      updatedAt: now(),
    };
    const doc = { head, draft, events: existing?.events ?? [] };
    docs.set(id, doc);
    return doc;
  }

  function seed() {
    const line = (name: string, price: string) => ({
      name,
      unit: "szt.",
      quantity: "2",
      unitPrice: price,
      rate: "23",
    });
    const base: InvoiceDraftDto = {
      contractorId: 1,
      issueDate: "2026-11-24",
      saleDate: null,
      dueDate: "2026-12-08",
      currency: "PLN",
      exchangeRate: "",
      pricesGross: false,
      lines: [line("Papier ksero A4", "21,90")],
      bankAccount: "61 1090 1014 0000 0712 1981 2874",
      splitPayment: false,
      notes: "",
      correctionReason: "",
    };
    const accepted = put({ ...base });
    issue(accepted);
    accept(accepted);
    const rejected = put({ ...base, contractorId: 2, lines: [line("Ulotki", "1450")] });
    issue(rejected);
    rejected.head.status = "rejected";
    rejected.head.rejectionCode = 450;
    rejected.head.rejectionMessage =
      "Błąd weryfikacji semantyki dokumentu faktury: Data wystawienia faktury (P_1) jest późniejsza niż data przyjęcia";
    put({ ...base, contractorId: 3, issueDate: null });
  }

  function issue(doc: Doc) {
    counter += 1;
    doc.head.number = `${doc.head.kind === "KOR" ? "KOR" : "FV"}/${counter}/11/2026`;
    doc.head.status = "issued";
    doc.head.issueDate ??= "2026-11-25";
    doc.events.push({
      at: now(),
      kind: "issued",
      ksefOperation: null,
      outcome: "ok",
      detail: `number=${doc.head.number}`,
    });
  }

  function accept(doc: Doc) {
    doc.head.status = "accepted";
    doc.head.ksefNumber = `5265877635-20261125-0100${String(doc.head.id).padStart(8, "0")}-7A`;
    doc.head.acceptedAt = now();
    doc.head.upoReceivedAt = now();
    doc.events.push(
      {
        at: now(),
        kind: "ksef.sending",
        ksefOperation: "sessions.online.send",
        outcome: "info",
        detail: null,
      },
      {
        at: now(),
        kind: "accepted",
        ksefOperation: "sessions.invoice.status",
        outcome: "ok",
        detail: `ksef_number=${doc.head.ksefNumber}`,
      },
      {
        at: now(),
        kind: "upo_received",
        ksefOperation: "sessions.invoice.upo_by_ksef",
        outcome: "ok",
        detail: null,
      },
    );
  }

  function find(id: unknown): Doc {
    const doc = docs.get(id as number);
    if (!doc)
      throw {
        kind: "notFound",
        code: "not_found",
        message: `Nie znaleziono: dokument (nr ${id}).`,
        fields: [],
      } satisfies IpcError;
    return doc;
  }

  function detail(doc: Doc): SalesDetailDto {
    const h = doc.head;
    return {
      document: h,
      draft: doc.draft,
      totals: totals(doc.draft),
      events: doc.events,
      corrections: [...docs.values()].filter((d) => d.head.correctsId === h.id).map((d) => d.head),
      corrects: h.correctsId ? (docs.get(h.correctsId)?.head ?? null) : null,
      late: false,
      upo: h.upoReceivedAt
        ? {
            receiver: "Ministerstwo Finansów",
            sessionReference: "20261125-SO-2F14610000-242991F8C9-B4",
            sellerNip: "5265877635",
            ksefNumber: h.ksefNumber ?? "",
            invoiceNumber: h.number ?? "",
            issueDate: h.issueDate ?? "",
            sentAt: h.acceptedAt ?? "",
            numberedAt: h.acceptedAt ?? "",
            documentHash: "GZMGNVzs3krF6URKgvaw77OOeG3nJ+WGziT5xguliQ8=",
            mode: "Online",
          }
        : null,
      outboxError: null,
    };
  }

  function list(q: SalesQueryDto): SalesPageDto {
    const needle = (q.text ?? "").toLowerCase();
    const rows = [...docs.values()]
      .map((d) => d.head)
      .filter((h) => q.statuses.length === 0 || q.statuses.includes(h.status))
      .filter(
        (h) =>
          !needle ||
          `${h.number} ${h.buyerName} ${h.buyerNip} ${h.ksefNumber}`.toLowerCase().includes(needle),
      )
      .sort((a, b) => b.id - a.id);
    return { rows: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
  }

  seed();

  const handlers: Record<string, (a: Record<string, unknown>, c: MockContext) => unknown> = {
    sales_list: (a) => list(a.query as SalesQueryDto),
    sales_detail: (a) => detail(find(a.documentId)),
    sales_overview: (): SalesOverviewDto => ({
      settings,
      nextEndOfDay: null,
      waitingForEndOfDay: [...docs.values()].filter((d) => d.head.status === "queued").length,
      atRiskToday: [],
      late: [],
      lastCatchUp: null,
    }),
    save_draft: (a) => {
      const id = a.documentId as number | null;
      if (id !== null && find(id).head.status !== "draft") {
        throw {
          kind: "conflict",
          code: "wrong_document_state",
          message: "Dokument jest wysłany.",
          fields: [],
        } satisfies IpcError;
      }
      return put(a.draft as InvoiceDraftDto, id ?? undefined).head;
    },
    delete_draft: (a) => {
      docs.delete(find(a.documentId).head.id);
      return null;
    },
    draft_totals: (a) => totals(a.draft as InvoiceDraftDto),
    preview_invoice: (a) => `<h1>Faktura ${find(a.documentId).head.number ?? "(szkic)"}</h1>`,
    issue_invoice: (a) => {
      const doc = find(a.documentId);
      if (!doc.draft.contractorId)
        throw validation("contractor", "Wybierz nabywcę albo dodaj nowego.");
      if (totals(doc.draft).perRate.length === 0)
        throw validation("lines.0.unit_price", "Pozycja 1: cena nie jest kwotą.");
      issue(doc);
      return doc.head;
    },
    send_invoice: (a) => {
      const doc = find(a.documentId);
      doc.head.status = "queued";
      doc.head.sendMode = a.mode as "now" | "endOfDay";
      doc.events.push({
        at: now(),
        kind: "queued",
        ksefOperation: null,
        outcome: "ok",
        detail: null,
      });
      if (a.mode === "now") setTimeout(() => accept(doc), 300);
      return doc.head;
    },
    redraft_rejected: (a) => put({ ...find(a.documentId).draft, issueDate: null }).head,
    start_correction: (a) => {
      const original = find(a.documentId);
      const doc = put({ ...original.draft, issueDate: null, correctionReason: "" });
      doc.head.kind = "KOR";
      doc.head.correctsId = original.head.id;
      return doc.head;
    },
    save_upo: (a) => `/home/demo/Pobrane/UPO-${find(a.documentId).head.ksefNumber}.xml`,
    add_contractor: (a): ContractorDto => {
      const input = a.contractor as ContractorInputDto;
      if (/^\s*PL/i.test(input.euVatId)) {
        throw validation("contractor", "To polski NIP z przedrostkiem PL: wpisz go w polu NIP.");
      }
      const id = 100 + Object.keys(BUYERS).length;
      BUYERS[id] = { name: input.name, nip: input.nip || null };
      return {
        id,
        nip: input.nip || null,
        euVatId: input.euVatId || null,
        name: input.name,
        addressLine1: input.addressLine1,
        addressLine2: input.addressLine2,
        countryCode: "PL",
        email: null,
        trusted: false,
      };
    },
    sales_settings: () => settings,
    set_sales_settings: (a) => {
      const next = a.settings as SalesSettingsDto;
      if (next.endOfDayTime > "23:00") {
        throw validation(
          "end_of_day_time",
          `Godzina „${next.endOfDayTime}” jest niepoprawna. Podaj godzinę w formacie GG:MM, najpóźniej 23:00, żeby wysyłka skończyła się tego samego dnia.`,
        );
      }
      settings = next;
      return settings;
    },
  };

  return {
    handles: (cmd) => cmd in handlers,
    handle: (cmd, args, context) => handlers[cmd](args, context),
  };
}
