/**
 * A sandbox's policy: optional rules on top of the filesystem. A read-only
 * sandbox refuses every write (EROFS); denied paths (secrets by default list,
 * or globs of one's own) cannot be read or written (EACCES) by the API or a
 * script, though their names still show in listings; and secret-looking
 * strings are redacted in what the API reads out (never in what a script
 * sees, so a script cannot write redactions back over the real content).
 */
import type { SandboxPolicy } from "./backend.js";
import { encodeText, tryDecodeUtf8 } from "./encoding.js";
import { GlobMatcher } from "./text/glob.js";

// The policy's shape is part of the backend contract (backend.ts); re-exported here.
export type { SandboxPolicy } from "./backend.js";

export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {
  readOnly: false,
  denySecrets: false,
  denyGlobs: [],
  redactSecrets: false,
};

/** Where secrets usually live. */
export const SECRET_GLOBS: readonly string[] = [
  "**/.env",
  "**/.env.*",
  "**/.ssh/**",
  "**/*.pem",
  "**/*.key",
  "**/id_rsa*",
  "**/id_ecdsa*",
  "**/id_ed25519*",
  "**/.aws/credentials",
  "**/.netrc",
  "**/.git-credentials",
  "**/.npmrc",
  "**/.pypirc",
  "**/.docker/config.json",
  "**/.kube/config",
];

/** What secrets usually look like: precise enough not to eat ordinary code. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{60,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/g, // Stripe
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g, // OpenAI / Anthropic style keys
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
  /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqps?):\/\/[^\s:/@]+:[^\s@/]+@/g, // URLs with a password
];

export const REDACTED = "[REDACTED]";

/** Fills in what a stored (possibly partial or older) policy leaves out. */
export function normalizePolicy(policy: Partial<SandboxPolicy> | undefined): SandboxPolicy {
  return {
    readOnly: policy?.readOnly ?? false,
    denySecrets: policy?.denySecrets ?? false,
    denyGlobs: [...(policy?.denyGlobs ?? [])],
    redactSecrets: policy?.redactSecrets ?? false,
  };
}

/** Whether a normalized absolute path is denied; undefined when nothing is. */
export function denyMatcher(policy: SandboxPolicy): ((path: string) => boolean) | undefined {
  const globs = [...(policy.denySecrets ? SECRET_GLOBS : []), ...policy.denyGlobs];
  if (globs.length === 0) return undefined;
  const matchers = globs.map((g) => GlobMatcher.compile(g.replace(/^\/+/, "")));
  return (path) => {
    const rel = path.replace(/^\/+/, "");
    if (rel === "") return false;
    // A denied directory denies what is below it too (`.ssh` as well as `.ssh/**`).
    const names = rel.split("/");
    for (let i = 1; i <= names.length; i++) {
      const prefix = names.slice(0, i).join("/");
      if (matchers.some((m) => m.matchesEntry(prefix, `/${prefix}`))) return true;
    }
    return false;
  };
}

/** `text` with every secret-looking string replaced, and how many were. */
export function redactSecrets(text: string): { text: string; count: number } {
  let count = 0;
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, () => {
      count++;
      return REDACTED;
    });
  }
  return { text: out, count };
}

/** {@link redactSecrets} for file content: UTF-8 text redacted, anything else as it is. */
export function redactBytes(bytes: Uint8Array): Uint8Array {
  const text = tryDecodeUtf8(bytes);
  if (text === undefined) return bytes;
  const redacted = redactSecrets(text);
  return redacted.count === 0 ? bytes : encodeText(redacted.text);
}
