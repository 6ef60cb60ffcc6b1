/** The part of a `@cairn/client` sandbox that the tools use, as a structural type. */
import type {
  ExecOptions,
  ExecResult,
  ReadLinesOptions,
  ReadLinesResult,
  ReadOptions,
  WriteOptions,
  WriteResult,
} from "@cairn/client";

/**
 * What the tools need from a sandbox: a `Sandbox` from `@cairn/client` is one. Structural, so a
 * sandbox from another copy of the client (or a test double) fits too.
 */
export interface CairnSandboxLike {
  readonly id: string;
  /** With `persistShell`, `cd` and exported variables carry over from one exec to the next. */
  readonly persistShell?: boolean;
  /** Extra runtimes enabled for scripts, e.g. `python3`. */
  readonly runtimes?: readonly string[];
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  readonly fs: {
    readText(path: string, options?: ReadOptions): Promise<string>;
    readLines(path: string, options?: ReadLinesOptions): Promise<ReadLinesResult>;
    write(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<WriteResult>;
  };
}

/** Cairn's default `maxOutputBytes` for exec: the server keeps this much of each stream. */
export const SERVER_MAX_OUTPUT_BYTES = 1024 * 1024;

/** True for the error the client throws when a script ran out of time (`408 timeout`). */
export function isTimeout(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === "timeout";
}

/** `path` made absolute against `cwd`, with `.` and `..` resolved (never above `/`). */
export function resolvePath(cwd: string, path: string): string {
  const segments: string[] = [];
  for (const segment of `${path.startsWith("/") ? "" : cwd}/${path}`.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}
