import type { GrantLease, GrantLedger, GrantState } from "../state/grantLedger";

/**
 * This process's hold on one grant's lease. Every write goes through here, one at a time, each conditional on the
 * version the previous one left: a refresh and the background store of an unsaved token share one hold without
 * tripping over each other's versions. `write` answers false once the lease is lost (someone else took it after it
 * expired); from then on this hold must not act for the grant.
 */
export class HeldGrantLease {
  readonly grantKey: string;
  readonly #ledger: GrantLedger;
  #lease: GrantLease | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ledger: GrantLedger, lease: GrantLease) {
    this.#ledger = ledger;
    this.#lease = lease;
    this.grantKey = lease.grantKey;
  }

  /** The state as this process last wrote it; undefined once the lease is lost or released. */
  get state(): GrantState | undefined {
    return this.#lease?.state;
  }

  get held(): boolean {
    return this.#lease !== undefined;
  }

  /** Applies `changes` if the lease is still ours; false when it is lost (or was released). Ledger errors propagate. */
  write(changes: Partial<GrantState>): Promise<boolean> {
    const next = this.#queue.then(async () => {
      if (this.#lease === undefined) return false;
      const written = await this.#ledger.update(this.#lease, changes);
      this.#lease = written;
      return written !== undefined;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Gives the lease back with `changes`; afterwards the hold is spent. True when it was still ours. */
  async release(changes: Partial<GrantState> = {}): Promise<boolean> {
    const released = await this.write({ ...changes, holder: null, leaseUntilMs: 0 });
    this.#lease = undefined;
    return released;
  }

  /** Forgets the lease without writing (a simulated crash, or after it was found lost). */
  abandon(): void {
    this.#lease = undefined;
  }
}
