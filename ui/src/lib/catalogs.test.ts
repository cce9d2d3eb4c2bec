import { describe, expect, it } from "vitest";
import { catalogs } from "./i18n/catalogs";

const { pl, en } = catalogs;

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

// Plural forms differ by language (Polish has one/few/many), so compare stems.
function stems(tree: Tree): Set<string> {
  return new Set(keys(tree).map((key) => key.replace(/_(zero|one|two|few|many|other)$/, "")));
}

describe("message catalogs", () => {
  it("Polish and English offer the same messages", () => {
    expect([...stems(en)].sort()).toEqual([...stems(pl)].sort());
  });

  it("Polish plurals have every form Polish grammar needs", () => {
    const all = keys(pl);
    for (const stem of all.filter((k) => k.endsWith("_one")).map((k) => k.slice(0, -4))) {
      for (const form of ["one", "few", "many", "other"]) {
        expect(all).toContain(`${stem}_${form}`);
      }
    }
  });

  it("no message is empty", () => {
    for (const catalog of [pl, en]) {
      const flat = keys(catalog);
      expect(flat.length).toBeGreaterThan(50);
    }
    const values = (tree: Tree): string[] =>
      Object.values(tree).flatMap((v) => (typeof v === "string" ? [v] : values(v)));
    expect(values(pl).filter((v) => v.trim() === "")).toEqual([]);
    expect(values(en).filter((v) => v.trim() === "")).toEqual([]);
  });
});
