/** Which driver errors mean "the database is unreachable" rather than "the query is wrong". */
import { StorageUnavailableError } from "@cairn/core";

const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** SQLSTATE classes 08 (connection exception) and 57P0x (server shutting down / cannot connect). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return CONNECTION_CODES.has(code) || code.startsWith("08") || /^57P0[1-4]$/.test(code);
}

/** `fn`, with a connection failure given as a retryable StorageUnavailableError (nothing applied). */
export async function guardConnection<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isConnectionError(error)) {
      throw new StorageUnavailableError("database unavailable", "no", { cause: error });
    }
    throw error;
  }
}
