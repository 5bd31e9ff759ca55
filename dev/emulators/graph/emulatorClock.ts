/**
 * The Graph emulator's notion of "now": real time plus an offset the admin surface can advance, so tests age delta
 * tokens and subscriptions without waiting. Timestamps on items, delta-token TTLs, subscription expiry and the
 * resource-unit window use it; network timeouts and redelivery timers use real time.
 */
export class EmulatorClock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
