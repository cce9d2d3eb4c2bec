// The one door to the Rust side. Bindings are generated (bindings.ts); this
// turns their Result objects into values or a thrown IpcFailure.
import type { IpcError } from "./bindings";

/** What every generated command resolves to. */
export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

export class IpcFailure extends Error {
  readonly error: IpcError;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.error = error;
  }
}

/** Tauri itself (unknown command, bad argument) rejects with a bare string. */
function asIpcError(error: unknown): IpcError {
  if (typeof error === "object" && error !== null && "kind" in error && "message" in error) {
    return error as IpcError;
  }
  return { kind: "internal", code: "ipc", message: String(error), fields: [] };
}

export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (result.status === "error") throw new IpcFailure(asIpcError(result.error));
  return result.data;
}

export function errorMessage(error: unknown, fallback: string): string {
  if (error instanceof IpcFailure) return error.message;
  return fallback;
}

/** For forms: every wrong field's own message, else the error's message. */
export function formErrorMessage(error: unknown, fallback: string): string {
  if (error instanceof IpcFailure && error.error.fields.length > 0) {
    return error.error.fields.map((field) => field.message).join(" ");
  }
  return errorMessage(error, fallback);
}
