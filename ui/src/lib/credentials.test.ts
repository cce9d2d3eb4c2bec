import { describe, expect, it } from "vitest";
import { alertMessage, alertTone, showsInStatusBar } from "./credentials";
import { formatDay } from "./format";

describe("credential alerts", () => {
  it("grow louder as the end nears", () => {
    expect(alertTone("fine")).toBe("info");
    expect(alertTone("within30Days")).toBe("info");
    expect(alertTone("within7Days")).toBe("warning");
    expect(alertTone("within1Day")).toBe("danger");
    expect(alertTone("expired")).toBe("danger");
  });

  it("name the days left, or say it is over", () => {
    expect(alertMessage({ kind: "tokenCutoff", daysLeft: 27, level: "within30Days" })).toEqual({
      key: "credentials.tokenDaysLeft",
      values: { count: 27 },
    });
    expect(alertMessage({ kind: "tokenCutoff", daysLeft: 0, level: "expired" }).key).toBe(
      "credentials.tokenEnded",
    );
    expect(
      alertMessage({ kind: "certificateExpiring", daysLeft: 7, level: "within7Days" }),
    ).toEqual({ key: "credentials.certificateDaysLeft", values: { count: 7 } });
    expect(alertMessage({ kind: "certificateExpiring", daysLeft: 0, level: "expired" }).key).toBe(
      "credentials.certificateExpired",
    );
  });

  it("show a token always and a certificate only near its end", () => {
    expect(showsInStatusBar(null)).toBe(false);
    expect(showsInStatusBar({ kind: "tokenCutoff", daysLeft: 60, level: "fine" })).toBe(true);
    expect(showsInStatusBar({ kind: "certificateExpiring", daysLeft: 60, level: "fine" })).toBe(
      false,
    );
    expect(
      showsInStatusBar({ kind: "certificateExpiring", daysLeft: 30, level: "within30Days" }),
    ).toBe(true);
  });

  it("write the cut-off day the Polish way", () => {
    expect(formatDay("2026-12-31", "pl")).toBe("31.12.2026");
    expect(formatDay("2026-12-31", "en")).toBe("31/12/2026");
    expect(formatDay("not a day", "pl")).toBe("not a day");
  });
});
