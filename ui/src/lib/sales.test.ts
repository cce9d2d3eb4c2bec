import { describe, expect, it } from "vitest";
import { amountToMinor, decimalToMinor, pagesFor, rejectionHintKey, statusBadge } from "./sales";

describe("sales helpers", () => {
  it("reads amounts the Polish way, refusing junk", () => {
    expect(amountToMinor("1 234,50")).toBe(123450);
    expect(amountToMinor("12.5")).toBe(1250);
    expect(amountToMinor("")).toBeNull();
    expect(amountToMinor("12,345")).toBeNull();
    expect(amountToMinor("abc")).toBeNull();
    expect(decimalToMinor("-123.00")).toBe(-12300);
  });

  it("shows UPO as the final state of an accepted invoice", () => {
    expect(statusBadge({ status: "accepted", upoReceivedAt: null }).key).toBe(
      "sales.status.accepted",
    );
    expect(statusBadge({ status: "accepted", upoReceivedAt: "2026-11-25T10:00:00Z" }).key).toBe(
      "sales.status.upo",
    );
    expect(statusBadge({ status: "rejected", upoReceivedAt: null }).tone).toBe("danger");
  });

  it("covers the visible rows with pages", () => {
    expect(pagesFor(0, 30)).toEqual([0]);
    expect(pagesFor(95, 130)).toEqual([0, 1]);
    expect(pagesFor(99_950, 99_999)).toEqual([999]);
  });

  it("gives each rejection its own advice", () => {
    expect(rejectionHintKey(450)).toMatch(/450$/);
    expect(rejectionHintKey(440)).toMatch(/440$/);
    expect(rejectionHintKey(null)).toMatch(/Other$/);
  });
});
