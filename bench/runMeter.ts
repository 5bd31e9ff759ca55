import diagnosticsChannel from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

/** Memory of one run, in bytes. */
export interface RunMemory {
  /** Heap in use after a full collection just before the run: what the process held anyway. */
  heapBefore: number;
  /** Largest heap in use seen while the run went on, minus `heapBefore` (sampled, garbage included). */
  heapPeakGrowth: number;
  /**
   * Heap still reachable at the run's fullest moment, minus `heapBefore`: a full collection right after the engine
   * planned (every input and the plan alive) or once the baseline had read everything. `null` if nothing called
   * `probe`.
   */
  heapHeld: number | null;
  /** Resident set size: largest seen during the run, and its growth over the start of the run. */
  rssPeak: number;
  rssGrowth: number;
}

export interface RunMeasure {
  /** Milliseconds, the probe's own collection excluded. */
  wallMs: number;
  /** Milliseconds the probe's collection took (inside whichever step of the run called `probe`). */
  probeMs: number;
  memory: RunMemory;
  /** HTTP requests to the state tables (Azurite), counted as they leave this process. */
  stateRequests: number;
}

const SAMPLE_EVERY_MS = 20;

/**
 * Measures runs one at a time: wall time, memory sampled every few milliseconds (a sample cannot land inside a long
 * synchronous stretch, which `probe` covers), and requests to the state tables. Start it with `--expose-gc` (as
 * `npm run bench` does); without it the "held" figures include garbage.
 */
export class RunMeter {
  readonly #stateHost: string;
  #stateRequests = 0;
  #probe: { heapBefore: number; held: number | null; probeMs: number } | undefined;
  readonly #onRequest = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader("host") ?? request.host);
    if (host === this.#stateHost) this.#stateRequests += 1;
  };

  /** `stateHost`: `host:port` of the table service. */
  constructor(stateHost: string) {
    this.#stateHost = stateHost;
    diagnosticsChannel.subscribe("http.client.request.start", this.#onRequest);
  }

  /**
   * Records the heap still reachable now, once per run (the first call wins): called at the moment a run holds the
   * most. Its collection's time is taken out of the run's wall time.
   */
  probe(): void {
    const run = this.#probe;
    if (run === undefined || run.held !== null) return;
    const started = performance.now();
    collect();
    run.held = process.memoryUsage().heapUsed - run.heapBefore;
    run.probeMs += performance.now() - started;
  }

  async measure<T>(work: () => Promise<T>): Promise<{ value: T; measure: RunMeasure }> {
    collect();
    const before = process.memoryUsage();
    const run = { heapBefore: before.heapUsed, held: null as number | null, probeMs: 0 };
    this.#probe = run;
    let heapPeak = before.heapUsed;
    let rssPeak = before.rss;
    const sample = (): void => {
      const now = process.memoryUsage();
      heapPeak = Math.max(heapPeak, now.heapUsed);
      rssPeak = Math.max(rssPeak, now.rss);
    };
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const requestsBefore = this.#stateRequests;
    const started = performance.now();
    try {
      const value = await work();
      const wallMs = performance.now() - started - run.probeMs;
      sample();
      return {
        value,
        measure: {
          wallMs,
          probeMs: run.probeMs,
          memory: {
            heapBefore: run.heapBefore,
            heapPeakGrowth: heapPeak - run.heapBefore,
            heapHeld: run.held,
            rssPeak,
            rssGrowth: rssPeak - before.rss,
          },
          stateRequests: this.#stateRequests - requestsBefore,
        },
      };
    } finally {
      clearInterval(sampler);
      this.#probe = undefined;
    }
  }

  /**
   * Heap still reachable after `work`, bytes (collected before and after), how long it took, milliseconds, and its
   * result: returned, so it stays reachable through the second collection.
   */
  async heldBy<T>(work: () => Promise<T>): Promise<{ bytes: number; ms: number; value: T }> {
    collect();
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const value = await work();
    const ms = performance.now() - started;
    collect();
    return { bytes: process.memoryUsage().heapUsed - before, ms, value };
  }

  close(): void {
    diagnosticsChannel.unsubscribe("http.client.request.start", this.#onRequest);
  }
}

function collect(): void {
  // `npm run bench` runs with --expose-gc; elsewhere (the smoke test) the figures simply include garbage.
  globalThis.gc?.();
}
