import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("SseParser", () => {
  it("reads event, data and id, and skips comments", () => {
    const parser = new SseParser();
    const events = parser.push(
      bytes(
        ': keepalive\n\nid: 1\nevent: stdout\ndata: {"data":"hi\\n","encoding":"utf8"}\n\nid: 2\nevent: exit\ndata: {"exitCode":0}\n\n',
      ),
    );
    expect(events).toEqual([
      { event: "stdout", data: '{"data":"hi\\n","encoding":"utf8"}', id: "1" },
      { event: "exit", data: '{"exitCode":0}', id: "2" },
    ]);
  });

  it("waits for the blank line that ends an event, across chunks and inside a UTF-8 character", () => {
    const parser = new SseParser();
    const all = bytes("event: stdout\ndata: é\r\n\r\ndata: a\ndata: b\n\n");
    const out = [];
    for (let i = 0; i < all.length; i++) out.push(...parser.push(all.subarray(i, i + 1)));
    expect(out).toEqual([
      { event: "stdout", data: "é" },
      { event: "message", data: "a\nb" },
    ]);
  });

  it("keeps an unfinished event for later", () => {
    const parser = new SseParser();
    expect(parser.push(bytes("event: stdout\ndata: x\n"))).toEqual([]);
    expect(parser.push(bytes("\n"))).toEqual([{ event: "stdout", data: "x" }]);
  });
});
