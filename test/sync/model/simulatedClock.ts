/** A strictly increasing clock for simulations: every tick is one second later, so no two events share a time. */
export class SimulatedClock {
  #tick = 0;

  now(): string {
    this.#tick += 1;
    return new Date(Date.UTC(2024, 0, 1) + this.#tick * 1000).toISOString();
  }
}
