/** Whether the server takes new work: draining makes `/v1/ready` answer 503 before a stop. */

export class Lifecycle {
  #draining = false;
  readonly #listeners: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  /** Marks the server draining (for good): readiness fails so balancers stop sending traffic. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const listener of this.#listeners) listener();
  }

  onDrain(listener: () => void): void {
    this.#listeners.push(listener);
  }
}
