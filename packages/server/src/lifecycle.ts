/** Whether the server takes new work: draining makes `/v1/ready` answer 503 before a stop. */

export class Lifecycle {
  #draining = false;
  readonly #listeners: Array<() => void> = [];
  readonly #shutdown: { readonly draining: boolean; start(): void } | undefined;

  /** `shutdown`: the graceful-shutdown `Drain`, if any: one starts the other, and either fails readiness. */
  constructor(shutdown?: { readonly draining: boolean; start(): void }) {
    this.#shutdown = shutdown;
  }

  get draining(): boolean {
    return this.#draining || (this.#shutdown?.draining ?? false);
  }

  /** Marks the server draining (for good): readiness fails so balancers stop sending traffic. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#shutdown?.start();
    for (const listener of this.#listeners) listener();
  }

  onDrain(listener: () => void): void {
    this.#listeners.push(listener);
  }
}
