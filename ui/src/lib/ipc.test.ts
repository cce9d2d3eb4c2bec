import { describe, expect, it } from "vitest";
import type { IpcError } from "./bindings";
import { call, errorMessage, formErrorMessage, IpcFailure, type Result } from "./ipc";

describe("call", () => {
  it("returns the data of a successful command", async () => {
    const ok: Result<number> = { status: "ok", data: 7 };
    await expect(call(Promise.resolve(ok))).resolves.toBe(7);
  });

  it("throws the command's error with its kind, code and message", async () => {
    const error: IpcError = {
      kind: "notFound",
      code: "not_found",
      message: "Nie znaleziono",
      fields: [],
    };
    const failed: Result<number> = { status: "error", error };
    const thrown = await call(Promise.resolve(failed)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(IpcFailure);
    expect((thrown as IpcFailure).error).toEqual(error);
    expect(errorMessage(thrown, "fallback")).toBe("Nie znaleziono");
  });

  it("wraps Tauri's own string rejections as internal errors", async () => {
    const failed = {
      status: "error",
      error: "command dashbord not found",
    } as unknown as Result<number>;
    const thrown = (await call(Promise.resolve(failed)).catch((e: unknown) => e)) as IpcFailure;
    expect(thrown.error.kind).toBe("internal");
    expect(thrown.error.message).toContain("dashbord");
    expect(errorMessage(new Error("x"), "fallback")).toBe("fallback");
  });
});

describe("formErrorMessage", () => {
  it("lists each wrong field's message, else the error's own", () => {
    const form = new IpcFailure({
      kind: "validation",
      code: "invalid_input",
      message: "Popraw formularz.",
      fields: [
        { field: "nip", code: "nip_checksum", message: "Zła cyfra kontrolna." },
        { field: "token", code: "token_empty", message: "Wklej token." },
      ],
    });
    expect(formErrorMessage(form, "x")).toBe("Zła cyfra kontrolna. Wklej token.");
    const plain = new IpcFailure({
      kind: "remote",
      code: "ksef_unavailable",
      message: "KSeF niedostępny.",
      fields: [],
    });
    expect(formErrorMessage(plain, "x")).toBe("KSeF niedostępny.");
    expect(formErrorMessage(new Error("boom"), "fallback")).toBe("fallback");
  });
});
