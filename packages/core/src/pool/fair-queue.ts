/** A queue that is fair across tenants: one FIFO per tenant, served round robin. */

export class FairQueue<T> {
  /** Tenants in turn order: the one served last goes to the back. */
  private readonly queues = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Queues `item` for `tenant`; `front` puts it first in its tenant's line (a re-run). */
  push(tenant: string, item: T, front = false): void {
    let queue = this.queues.get(tenant);
    if (!queue) {
      queue = [];
      this.queues.set(tenant, queue);
    }
    if (front) queue.unshift(item);
    else queue.push(item);
    this.count++;
  }

  /**
   * The first item of the first tenant in turn whose head `eligible` accepts;
   * that tenant then goes to the back of the turn order.
   */
  take(eligible: (tenant: string, item: T) => boolean): T | undefined {
    for (const [tenant, queue] of this.queues) {
      const head = queue[0]!;
      if (!eligible(tenant, head)) continue;
      queue.shift();
      this.queues.delete(tenant);
      if (queue.length > 0) this.queues.set(tenant, queue);
      this.count--;
      return head;
    }
    return undefined;
  }

  /** Takes `item` out wherever it waits; false when it was not queued. */
  remove(tenant: string, item: T): boolean {
    const queue = this.queues.get(tenant);
    const at = queue?.indexOf(item) ?? -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(tenant);
    this.count--;
    return true;
  }

  /** Empties the queue, returning what waited. */
  drain(): T[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.count = 0;
    return all;
  }
}
