import { describe, expect, it } from "vitest";
import { nipProblem, normaliseNip } from "./nip";

describe("nipProblem", () => {
  it("accepts valid NIPs however they are typed", () => {
    expect(nipProblem("5265877635")).toBeNull();
    expect(nipProblem("526-587-76-35")).toBeNull();
    expect(nipProblem(" 774 000 14 54 ")).toBeNull();
  });
  it("names what is wrong", () => {
    expect(nipProblem("")).toBe("empty");
    expect(nipProblem("PL5265877635")).toBe("euPrefix");
    expect(nipProblem("52658776")).toBe("length");
    expect(nipProblem("52658776AB")).toBe("length");
    expect(nipProblem("5265877636")).toBe("checksum");
  });
  it("rejects a NIP whose checksum would be 10", () => {
    // 1,2,3,4,5,6,7,8,9 weighted sums to 10 mod 11: no digit can match.
    expect(nipProblem("1234567890")).toBe("checksum");
  });
  it("normalises dashes and spaces only", () => {
    expect(normaliseNip("526-587 76-35")).toBe("5265877635");
  });
});
