/**
 * "Resolve once this holds", re-checked whenever the owner says something happened (`notify`): tests wait on events
 * rather than sleeping or polling.
 */
export class ConditionWaiters {
  #waiters: Array<() => void> = [];

  async until(ready: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`condition not met within ${timeoutMs} ms; ${describe()}`));
      }, timeoutMs);
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
