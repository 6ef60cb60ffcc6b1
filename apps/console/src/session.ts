/** The signed-in key: kept in sessionStorage (never a cookie, so there is nothing for CSRF to ride). */
import { Cairn, type Fetch, PermissionDeniedError } from "@cairn/client";

const KEY_ITEM = "cairn.console.apiKey";
const ROLE_ITEM = "cairn.console.role";

/** `admin` keys manage tenants and keys and reach no sandbox; every other key works in sandboxes. */
export type Role = "tenant" | "admin";

export interface Session {
  cairn: Cairn;
  role: Role;
  /** The key itself, for a second client that reports upload progress. */
  apiKey: string;
}

/** A client for this page's own origin (the server that served the console). */
export function clientFor(apiKey: string, fetch?: Fetch): Cairn {
  return new Cairn({
    fetch,
    baseUrl: window.location.origin,
    apiKey,
    maxRetries: 1,
  });
}

/** The session saved in this tab, if any. */
export function savedSession(): Session | null {
  const key = sessionStorage.getItem(KEY_ITEM);
  const role = sessionStorage.getItem(ROLE_ITEM);
  if (!key || (role !== "tenant" && role !== "admin")) return null;
  return { cairn: clientFor(key), role, apiKey: key };
}

/**
 * Checks the key against the server (a bad one throws `AuthenticationError`) and finds out what
 * it is for: listing sandboxes is refused (403) only to an admin key.
 */
export async function signIn(apiKey: string): Promise<Session> {
  const cairn = clientFor(apiKey.trim());
  await cairn.limits();
  let role: Role = "tenant";
  try {
    await cairn.sandboxes.list({ limit: 1 });
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    role = "admin";
  }
  sessionStorage.setItem(KEY_ITEM, apiKey.trim());
  sessionStorage.setItem(ROLE_ITEM, role);
  return { cairn, role, apiKey: apiKey.trim() };
}

export function signOut(): void {
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.removeItem(ROLE_ITEM);
}
