/**
 * A minimal server-sent events reader, enough for Cairn's exec stream:
 * `event`, `data` (several lines joined with `\n`) and `id`; comment lines
 * (`: keepalive`) and blocks without data are skipped. Lines may end in `\n`
 * or `\r\n`; bytes may be split anywhere, even inside a UTF-8 character.
 */

export interface SseEvent {
  /** `message` when the block names none. */
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = "";
  private readonly decoder = new TextDecoder();

  /**
   * Feeds the next bytes of the stream; returns the events they complete.
   *
   * @example
   * new SseParser().push(new TextEncoder().encode('event: exit\ndata: {"exitCode":0}\n\n'))
   * // [{ event: "exit", data: '{"exitCode":0}' }]
   */
  push(bytes: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    const events: SseEvent[] = [];
    for (;;) {
      const end = /\r?\n\r?\n/.exec(this.buffer);
      if (!end) break;
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (data.length === 0) return undefined;
  return id === undefined ? { event, data: data.join("\n") } : { event, data: data.join("\n"), id };
}
