import { type Clock, systemClock } from "../../../shared/runtime";

/**
 * The emulator's notion of now: a base clock (real time by default) plus an offset tests move forward, so token
 * expiry, the refresh-token leeway and CQL date functions can be exercised without waiting.
 */
export class EmulatorClock implements Clock {
  readonly #base: Clock;
  #offsetMs = 0;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}
