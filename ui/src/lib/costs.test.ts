import { describe, expect, it } from "vitest";
import {
  PageCache,
  amountToMinor,
  dueState,
  formatAccount,
  minorToInput,
  nextSteps,
  plainStepDetail,
  splitTags,
} from "./costs";

describe("due dates", () => {
  it("flags overdue and due-soon costs that are still to pay", () => {
    expect(dueState("2026-11-24", "approved", "2026-11-25")).toBe("overdue");
    expect(dueState("2026-11-25", "new", "2026-11-25")).toBe("dueSoon");
    expect(dueState("2026-11-28", "new", "2026-11-25")).toBe("dueSoon");
    expect(dueState("2026-11-29", "new", "2026-11-25")).toBe("due");
    expect(dueState("2026-11-01", "paid", "2026-11-25")).toBe("settled");
    expect(dueState("2026-11-01", "rejected", "2026-11-25")).toBe("settled");
    expect(dueState(null, "new", "2026-11-25")).toBe("none");
  });
});

describe("the workflow", () => {
  it("offers only the steps the backend allows", () => {
    expect(nextSteps("new")).toEqual(["describe"]);
    expect(nextSteps("described")).toEqual(["describe", "submit"]);
    expect(nextSteps("awaitingApproval")).toEqual(["approve", "reject"]);
    expect(nextSteps("partiallyPaid")).toEqual(["pay"]);
    expect(nextSteps("rejected")).toEqual(["describe"]);
    expect(nextSteps("paid")).toEqual([]);
  });
});

describe("input", () => {
  it("reads amounts the way people type them", () => {
    expect(amountToMinor("1 234,56")).toBe(123456);
    expect(amountToMinor("12.5")).toBe(1250);
    expect(amountToMinor("")).toBeNull();
    expect(amountToMinor("12,345")).toBeUndefined();
    expect(amountToMinor("abc")).toBeUndefined();
    expect(minorToInput(123456)).toBe("1234,56");
    expect(minorToInput(5)).toBe("0,05");
  });

  it("splits tags and groups account numbers", () => {
    expect(splitTags(" biuro, pilne,,biuro ")).toEqual(["biuro", "pilne"]);
    expect(formatAccount("PL61109010140000071219812874")).toBe(
      "PL61 1090 1014 0000 0712 1981 2874",
    );
    expect(formatAccount("61109010140000071219812874")).toBe("61 1090 1014 0000 0712 1981 2874");
    expect(formatAccount("GB29NWBK60161331926819")).toBe("GB29NWBK60161331926819");
  });
});

describe("the page cache", () => {
  it("fetches each page once, on demand, and keeps a bounded number", async () => {
    const asked: number[] = [];
    const cache = new PageCache<number>(
      10,
      async (offset, limit) => {
        asked.push(offset);
        return Array.from({ length: limit }, (_, i) => offset + i);
      },
      3,
    );
    expect(cache.get(5)).toBeUndefined();
    await Promise.all([cache.ensure(0, 15), cache.ensure(5, 12)]);
    expect(asked).toEqual([0, 10]);
    expect(cache.get(12)).toBe(12);
    await cache.ensure(95, 105);
    await cache.ensure(200, 205);
    expect(cache.pageCount).toBeLessThanOrEqual(3);
    expect(cache.get(203)).toBe(203);
    expect(cache.get(5)).toBeUndefined();
    cache.update((row) => row === 203, -1);
    expect(cache.get(203)).toBe(-1);
  });
});

describe("workflow history in plain words", () => {
  const catalog: Record<string, string> = {
    "costs.plain.costCentre": "MPK {{centre}}",
    "costs.plain.tags": "tagi: {{tags}}",
    "costs.plain.reference": "tytuł: {{reference}}",
    "costs.method.transfer": "Przelew",
    "costs.step.unknown_supplier_confirmed": "potwierdzono nieznanego dostawcę",
  };
  const translate = (key: string, options?: Record<string, unknown>) =>
    (catalog[key] ?? String(options?.defaultValue ?? key)).replace(/\{\{(\w+)\}\}/g, (_, name) =>
      String(options?.[name] ?? ""),
    );
  const day = (iso: string) => iso.split("-").reverse().join(".");

  it("reads a description as category, cost centre and tags", () => {
    expect(
      plainStepDetail(
        "describe",
        "category=Sprzęt IT; cost_centre=Biuro Warszawa; tags=laptop,2026",
        translate,
        day,
      ),
    ).toBe("Sprzęt IT, MPK Biuro Warszawa, tagi: laptop, 2026");
  });

  it("reads a payment as amount, day, method and reference", () => {
    expect(
      plainStepDetail(
        "pay",
        "amount=1 230,00 PLN; paid_on=2026-12-04; method=transfer; reference=FV/7/2026",
        translate,
        day,
      ),
    ).toBe("1 230,00 PLN, 04.12.2026, Przelew, tytuł: FV/7/2026");
  });

  it("keeps free text and hides retrieval noise", () => {
    expect(plainStepDetail("reject", "Zła kwota", translate, day)).toBe("Zła kwota");
    expect(plainStepDetail("retrieved", "ksef=123", translate, day)).toBe("");
    expect(plainStepDetail("approve", "unknown_supplier_confirmed", translate, day)).toBe(
      "potwierdzono nieznanego dostawcę",
    );
  });
});
