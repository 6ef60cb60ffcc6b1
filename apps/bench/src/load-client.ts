/**
 * A closed-loop HTTP/1.1 load generator in its own process for the speed table, as
 * autocannon runs one: `connections` keep-alive sockets, each sending the same request
 * again as soon as the previous response has arrived, for `seconds`. Raw sockets and a
 * pre-encoded request keep the generator's own CPU small, since it shares the machine with
 * the server. Sends {@link LoadReport} to the parent.
 *
 *   node load-client.js <url> <apiKey> <method> <body|-> <connections> <seconds>
 */
import { connect, type Socket } from "node:net";

export interface LoadReport {
  requests: number;
  seconds: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Every latency (ms), in completion order. */
  latencies: number[];
}

const [url, apiKey, method, body, connections, seconds] = process.argv.slice(2);
if (!url || !apiKey || !method || !body) {
  throw new Error("usage: load-client <url> <key> <method> <body|-> <connections> <seconds>");
}
const target = new URL(url);
const payload = body === "-" ? "" : body;
const request = Buffer.from(
  `${method} ${target.pathname}${target.search} HTTP/1.1\r\n` +
    `host: ${target.host}\r\n` +
    `authorization: Bearer ${apiKey}\r\n` +
    (payload
      ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`
      : "") +
    `\r\n${payload}`,
);

const HEADER_END = Buffer.from("\r\n\r\n");
const CHUNKED_END = Buffer.from("\r\n0\r\n\r\n");

/** The length of the first complete response in `data`, with its status, or undefined. */
function completeResponse(data: Buffer): { length: number; status: string } | undefined {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = data.subarray(0, headerEnd).toString("latin1");
  const status = head.slice(9, 12);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const total = headerEnd + 4 + Number(length[1]);
    return data.length >= total ? { length: total, status } : undefined;
  }
  const end = data.indexOf(CHUNKED_END, headerEnd);
  return end < 0 ? undefined : { length: end + CHUNKED_END.length, status };
}

const statuses: Record<string, number> = {};
const latencies: number[] = [];
const deadline = performance.now() + Number(seconds ?? 5) * 1000;

function run(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (performance.now() >= deadline) {
        socket.end();
        resolve();
        return;
      }
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const response = completeResponse(pending);
      if (!response) return;
      latencies.push(performance.now() - sentAt);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      pending = pending.subarray(response.length);
      send();
    });
    socket.on("error", reject);
    socket.on("connect", send);
  });
}

const started = performance.now();
await Promise.all(
  Array.from({ length: Number(connections ?? 32) }, () =>
    run(connect({ host: target.hostname, port: Number(target.port), noDelay: true })),
  ),
);
const report: LoadReport = {
  requests: latencies.length,
  seconds: (performance.now() - started) / 1000,
  statuses,
  latencies,
};
process.send?.(report);
