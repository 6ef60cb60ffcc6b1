/** Idle-timeout activity from reads and execs, recorded at most once per interval per sandbox. */
import type { Backend, SandboxRecord } from "./backend.js";
import { ByteBudgetLru } from "./lru.js";

export class ActivityRecorder {
  /** When this process last recorded activity on each sandbox (`tenantId/id`). */
  private readonly last = new ByteBudgetLru<string, number>(4 << 20, () => 128);

  constructor(
    private readonly backend: Backend,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * A read or exec of a sandbox with an idle timeout is activity. It is recorded in the
   * background (no request waits for it), at most once per interval (or half the timeout, if
   * shorter) per sandbox in this process: a busy sandbox costs one small write a minute.
   */
  note(record: SandboxRecord): void {
    if (record.idleTimeout === null || !this.backend.touchSandbox) return;
    const key = `${record.tenantId}/${record.id}`;
    const now = this.now();
    const every = Math.min(this.intervalMs, (record.idleTimeout * 1000) / 2);
    const last = this.last.get(key);
    if (last !== undefined && now - last < every) return;
    this.last.set(key, now);
    // A failed touch only makes the idle expiry earlier than it could be; the next read retries.
    this.backend.touchSandbox(record.tenantId, record.id).catch(() => this.last.delete(key));
  }
}
