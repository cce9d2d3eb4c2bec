import { describe, expect, it } from "vitest";
import {
  foldForSearch,
  formatCount,
  formatDateTime,
  formatDay,
  formatMoney,
  formatNip,
  formatVatRate,
  matchesQuery,
} from "./format";

describe("formatNip", () => {
  it("groups a ten-digit NIP the Polish way", () => {
    expect(formatNip("5265877635")).toBe("526-587-76-35");
  });
  it("leaves anything else alone", () => {
    expect(formatNip("DE811569869")).toBe("DE811569869");
    expect(formatNip("12345")).toBe("12345");
  });
});

describe("numbers and money", () => {
  it("uses a space to group thousands in Polish", () => {
    expect(formatCount(100000, "pl").replace(/\s/g, " ")).toBe("100 000");
    expect(formatCount(100000, "en")).toBe("100,000");
  });
  it("formats grosze as złoty with a decimal comma", () => {
    // Polish groups from five digits on (CLDR minimumGroupingDigits = 2).
    expect(formatMoney(123456, "PLN", "pl").replace(/\s/g, " ")).toBe("1234,56 zł");
    expect(formatMoney(1234567, "PLN", "pl").replace(/\s/g, " ")).toBe("12 345,67 zł");
    expect(formatMoney(-5, "EUR", "en")).toBe("-€0.05");
  });
});

describe("search", () => {
  it("ignores case and Polish diacritics", () => {
    expect(foldForSearch("Łódź ŻÓŁW")).toBe("lodz zolw");
    expect(matchesQuery("swit", "Drukarnia Świt s.c.")).toBe(true);
    expect(matchesQuery("kalamarz", "Hurtownia Papiernicza Kałamarz S.A.")).toBe(true);
  });
  it("finds a NIP typed with or without dashes", () => {
    expect(matchesQuery("774-000-14", "7740001454")).toBe(true);
    expect(matchesQuery("7740001454", "774-000-14-54")).toBe(true);
    expect(matchesQuery("999", "7740001454")).toBe(false);
  });
  it("an empty query matches everything, a missing field nothing", () => {
    expect(matchesQuery("  ", null)).toBe(true);
    expect(matchesQuery("a", null, undefined)).toBe(false);
  });
});

describe("dates and rates", () => {
  it("writes days and moments the Polish way", () => {
    expect(formatDay("2026-12-04", "pl")).toBe("04.12.2026");
    expect(formatDay("2026-12-04", "en")).toBe("04/12/2026");
    const local = new Date(2026, 11, 4, 15, 12).toISOString();
    expect(formatDateTime(local, "pl")).toBe("4.12.2026, 15:12");
  });
  it("prints VAT rates with a percent sign where they are percentages", () => {
    expect(formatVatRate("23")).toBe("23 %");
    expect(formatVatRate("0 WDT")).toBe("0 % WDT");
    expect(formatVatRate("zw")).toBe("zw");
    expect(formatVatRate("np I")).toBe("np I");
  });
});
