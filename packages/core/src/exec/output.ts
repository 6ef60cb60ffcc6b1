/**
 * A script's output as it happens: bytes per stream, kept up to a cap (the
 * rest is counted and flagged, never silently dropped), and handed to a
 * listener as they arrive so the caller can stream them.
 */

export type OutputStream = "stdout" | "stderr";

export type OutputListener = (stream: OutputStream, bytes: Uint8Array) => void;

export const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;

export class OutputCapture {
  private readonly chunks: Record<OutputStream, Uint8Array[]> = { stdout: [], stderr: [] };
  private readonly kept: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  readonly truncated: Record<OutputStream, boolean> = { stdout: false, stderr: false };

  constructor(
    private readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
    private readonly listener?: OutputListener,
  ) {}

  push(stream: OutputStream, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const room = this.maxBytes - this.kept[stream];
    if (bytes.length > room) this.truncated[stream] = true;
    const kept = bytes.length > room ? bytes.subarray(0, Math.max(room, 0)) : bytes;
    if (kept.length === 0) return;
    this.chunks[stream].push(kept);
    this.kept[stream] += kept.length;
    this.listener?.(stream, kept);
  }

  bytes(stream: OutputStream): Uint8Array {
    const parts = this.chunks[stream];
    if (parts.length === 1) return parts[0]!;
    const joined = new Uint8Array(this.kept[stream]);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }
}
