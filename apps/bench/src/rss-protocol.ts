/** Messages between the bench and its forked RSS server (rss-server.ts). */

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type ChildMessage =
  | { type: "ready"; url: string; memory: MemoryFigures }
  | { type: "memory"; memory: MemoryFigures; afterGc: MemoryFigures | null };

export type ParentMessage = { type: "measure" } | { type: "stop" };

export const RSS_API_KEY = "bench-rss-server-key-0123456789";
