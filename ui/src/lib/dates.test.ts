import { describe, expect, it } from "vitest";
import { addDays, dayPattern, monthWeeks, parseDayInput, todayInPoland } from "./dates";

describe("typing a date", () => {
  it("reads day, month and year the Polish way, with any separator", () => {
    expect(parseDayInput("4.12.2026")).toEqual({ ok: true, day: "2026-12-04" });
    expect(parseDayInput(" 04.12.2026 ")).toEqual({ ok: true, day: "2026-12-04" });
    expect(parseDayInput("4/12/2026")).toEqual({ ok: true, day: "2026-12-04" });
    expect(parseDayInput("04-12-26")).toEqual({ ok: true, day: "2026-12-04" });
    expect(parseDayInput("04122026")).toEqual({ ok: true, day: "2026-12-04" });
  });

  it("takes an ISO day pasted from elsewhere", () => {
    expect(parseDayInput("2026-12-04")).toEqual({ ok: true, day: "2026-12-04" });
  });

  it("treats an empty field as no date", () => {
    expect(parseDayInput("   ")).toEqual({ ok: true, day: null });
  });

  it("names what is wrong: the shape or the day itself", () => {
    expect(parseDayInput("12/04")).toEqual({ ok: false, reason: "format" });
    expect(parseDayInput("jutro")).toEqual({ ok: false, reason: "format" });
    expect(parseDayInput("31.11.2026")).toEqual({ ok: false, reason: "date" });
    expect(parseDayInput("29.02.2026")).toEqual({ ok: false, reason: "date" });
    expect(parseDayInput("29.02.2028")).toEqual({ ok: true, day: "2028-02-29" });
    expect(parseDayInput("01.13.2026")).toEqual({ ok: false, reason: "date" });
  });

  it("shows the pattern to type, never a date that looks like a value", () => {
    expect(dayPattern("pl")).toBe("DD.MM.RRRR");
    expect(dayPattern("en")).toBe("DD/MM/YYYY");
  });
});

describe("calendar days", () => {
  it("counts days across months and uses the Polish calendar day", () => {
    expect(addDays("2026-11-29", 3)).toBe("2026-12-02");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(todayInPoland(new Date("2026-11-25T23:30:00Z"))).toBe("2026-11-26");
  });

  it("lays a month out in weeks from Monday", () => {
    // 1 December 2026 is a Tuesday; the 31st a Thursday.
    const weeks = monthWeeks(2026, 12);
    expect(weeks[0]).toEqual([
      null,
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
      "2026-12-04",
      "2026-12-05",
      "2026-12-06",
    ]);
    expect(weeks.at(-1)).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      null,
      null,
      null,
    ]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  });
});
