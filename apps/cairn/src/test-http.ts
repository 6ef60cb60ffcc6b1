/** Test support: a tiny HTTP client for the Cairn API (global fetch) and a bounded worker pool. */

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON (including application/problem+json). */
  json: unknown;
}

/** The fields of an application/problem+json body the tests look at. */
export interface ProblemBody {
  code: string;
  retryable: boolean;
  detail?: string;
}

export class Api {
  constructor(
    readonly url: string,
    readonly apiKey: string,
  ) {}

  async request(
    method: string,
    path: string,
    options: {
      json?: unknown;
      body?: string;
      headers?: Record<string, string>;
      /** Give up (the promise rejects with a TimeoutError) after this long; default 60 s. */
      timeoutMs?: number;
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      ...options.headers,
    };
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: /json/.test(type) && text !== "" ? JSON.parse(text) : undefined,
    };
  }

  /** Creates a sandbox; throws unless 201. */
  async createSandbox(input: unknown = {}): Promise<{ id: string; version: number }> {
    const reply = await this.request("POST", "/v1/sandboxes", { json: input });
    if (reply.status !== 201) throw new Error(`create sandbox: ${reply.status} ${reply.text}`);
    return reply.json as { id: string; version: number };
  }

  exec(
    id: string,
    script: string,
    extra: Record<string, unknown> = {},
    timeoutMs?: number,
  ): Promise<Reply> {
    return this.request("POST", `/v1/sandboxes/${id}/exec`, {
      json: { script, ...extra },
      timeoutMs,
    });
  }

  /** Runs a script and returns its result; throws unless 200. */
  async execOk(
    id: string,
    script: string,
  ): Promise<{ exitCode: number; stdout: string; stderr: string; commit: { version: number } }> {
    const reply = await this.exec(id, script);
    if (reply.status !== 200) throw new Error(`exec ${script}: ${reply.status} ${reply.text}`);
    return reply.json as {
      exitCode: number;
      stdout: string;
      stderr: string;
      commit: { version: number };
    };
  }

  readFile(id: string, path: string): Promise<Reply> {
    return this.request("GET", `/v1/sandboxes/${id}/files?path=${encodeURIComponent(path)}`);
  }

  writeFile(
    id: string,
    path: string,
    content: string,
    headers: Record<string, string> = {},
    timeoutMs?: number,
  ): Promise<Reply> {
    return this.request("PUT", `/v1/sandboxes/${id}/files?path=${encodeURIComponent(path)}`, {
      body: content,
      headers: { "content-type": "application/octet-stream", ...headers },
      timeoutMs,
    });
  }
}

/** The problem details of an error reply, or undefined when the body is not problem+json. */
export function problemOf(reply: Reply): ProblemBody | undefined {
  if (!(reply.headers.get("content-type") ?? "").startsWith("application/problem+json")) {
    return undefined;
  }
  return reply.json as ProblemBody;
}

/** Runs `fn(0..count-1)` with at most `concurrency` calls in flight; results in index order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  fn: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await fn(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lines of a text, without the empty string after a final newline. */
export function linesOf(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Each value that occurs more than once, with its count. */
export function duplicates(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}
