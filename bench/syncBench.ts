import os from "node:os";
import v8 from "node:v8";
import { z } from "zod";
import { confluenceCallKind, graphCallKind, type ServiceCalls, tallyCalls } from "../dev/sandbox";
import type { RunReport } from "../shared/engine/run/runReport";
import { DELTA_PAGE_SIZE } from "../shared/engine/sharePointChanges";
import { BenchHost, type PlannedRun } from "./benchHost";
import { BENCH_LISTS, BENCH_PAGES, BENCH_SITE_ID, BenchSite } from "./benchSite";
import type { ServedCalls } from "./emulatorProcess";
import { type EngineHeldParts, engineHeldParts } from "./engineHeldParts";
import { type NaiveRunSummary, runNaiveFullScan } from "./naiveFullScan";
import { type RunMeasure, RunMeter } from "./runMeter";
import { syncBenchText } from "./syncBenchText";

/**
 * The sync benchmark (docs/design.md §5; what it measures: docs/performance.md#the-sync-benchmark): the real engine —
 * `openLocalEngine`, each run through the real `syncProfile` orchestrator — against the emulators with injected
 * per-call latency, per list size: a first sync onto an empty page and onto a page already holding the rows, an idle
 * run, k edits in SharePoint, k edits on the page. Each is compared with the lower bound of invariant 5 (API calls
 * counted from the emulators' request logs) and with the naive full-scan baseline (`naiveFullScan.ts`) on a twin list
 * and page in the same emulators; wall time, memory and the share of the run spent in the pure planner are reported
 * beside.
 */

export interface SyncBenchOptions {
  /** List sizes, items. */
  sizes: readonly number[];
  /** Edit counts k for the SharePoint-side and the Confluence-side edit scenarios. */
  edits: readonly number[];
  /** Added to every call each service serves, milliseconds. */
  latency: { graphMs: number; confluenceMs: number };
  /** `$batch` calls the baseline keeps in flight. */
  naiveConcurrency: number;
  /** Largest pre-filled page, bytes of storage format (Confluence refuses requests above 5 MB). */
  pageBudgetBytes: number;
  /** Progress lines (which run is going on). */
  progress?: (line: string) => void;
}

/** API calls of one run: the services' own (auth aside), the sign-in and token calls, and what they were. */
export interface RunCalls {
  graph: number;
  confluence: number;
  /** Microsoft identity sign-in and Atlassian token refresh / site lookup calls. */
  auth: number;
  /** Writes carried inside `$batch` calls. */
  batchedOperations: number;
  kinds: { graph: ServiceCalls["kinds"]; confluence: ServiceCalls["kinds"] };
}

/** What invariant 5 (or, for a first sync, the reads it cannot avoid) allows. */
export interface CallBound {
  graph: number;
  confluence: number;
  rule: string;
}

export interface EngineRun {
  calls: RunCalls;
  bound: CallBound;
  /** Invariant 5 held: no more Graph and no more Confluence calls than the bound. */
  withinBound: boolean;
  measure: RunMeasure;
  /** What the planner took and was given (null if the run ended before planning). */
  planned: PlannedRun | null;
  /**
   * Per activity (`prepareRun`, `applySharePointBatch`, …): first start to last end, milliseconds; the memory probe's
   * collection, which runs inside `prepareRun`, taken out as it is from the run's wall time.
   */
  activitySpans: Record<string, number>;
  counts: RunReport["counts"];
  /** Writes the scenario must cause, checked against the report; a mismatch is printed, never hidden. */
  check: { ok: boolean; expected: string; found: string };
}

export interface NaiveRun {
  calls: RunCalls;
  measure: RunMeasure;
  summary: NaiveRunSummary;
}

export interface ScenarioResult {
  scenario: string;
  engine: EngineRun;
  /** The baseline run this scenario is compared with: its first run for first syncs, its second otherwise. */
  naive: "first" | "steady";
}

export interface SizeResult {
  size: number;
  rowsOnPage: number;
  /** The list has more items than the page can hold: rows are synced, other items are read and remembered. */
  pageHoldsPart: boolean;
  /** Milliseconds to build the seed and start emulators, Azurite, the config store and the engine. */
  setupMs: number;
  scenarios: ScenarioResult[];
  naive: { first: NaiveRun; steady: NaiveRun };
  /** What the state rows and the page, each read alone as the engine reads them, hold (see `engineHeldParts`). */
  heldParts: EngineHeldParts;
}

export interface SyncBenchResult {
  options: Omit<SyncBenchOptions, "progress">;
  machine: {
    cores: number;
    loadBefore: number;
    loadAfter: number;
    node: string;
    gcExposed: boolean;
    /** V8's heap limit, bytes (`SYNC_BENCH_MAX_HEAP_MB` sets it). */
    heapLimit: number;
  };
  sizes: SizeResult[];
}

/** The engine's page size for `items/delta` (`$top`); the naive scan reads its items in pages of the same size. */
const GRAPH_PAGE_SIZE = DELTA_PAGE_SIZE;

export async function runSyncBench(options: SyncBenchOptions): Promise<SyncBenchResult> {
  const progress = options.progress ?? (() => undefined);
  const loadBefore = os.loadavg()[0] ?? 0;
  const sizes: SizeResult[] = [];
  for (const size of options.sizes) sizes.push(await benchSize(size, options, progress));
  return {
    options: {
      sizes: options.sizes,
      edits: options.edits,
      latency: options.latency,
      naiveConcurrency: options.naiveConcurrency,
      pageBudgetBytes: options.pageBudgetBytes,
    },
    machine: {
      cores: os.availableParallelism(),
      loadBefore,
      loadAfter: os.loadavg()[0] ?? 0,
      node: process.version,
      gcExposed: typeof globalThis.gc === "function",
      heapLimit: v8.getHeapStatistics().heap_size_limit,
    },
    sizes,
  };
}

async function benchSize(
  size: number,
  options: SyncBenchOptions,
  progress: (line: string) => void,
): Promise<SizeResult> {
  const setupStarted = performance.now();
  const site = new BenchSite(size, options.pageBudgetBytes);
  let planned: PlannedRun | null = null;
  let meter: RunMeter | undefined;
  progress(`${size.toLocaleString("en")} items: starting the emulators, Azurite and the engine`);
  const host = await BenchHost.start({
    seed: site.seed(),
    profiles: (emulators) =>
      (["empty", "engine", "naive"] as const).map((key) => ({
        input: site.profile(key, emulators.urls),
        secrets: site.secrets(key),
      })),
    onPlanned: (run) => {
      planned = run;
      // Everything the run read and the plan are alive right now: the engine's fullest moment.
      meter?.probe();
    },
    // A quiet run's fullest moment: both reads done (the page body is still held), nothing planned.
    onQuiet: () => meter?.probe(),
  });
  try {
    meter = new RunMeter(host.stateHost);
    const runMeter = meter;
    await host.emulators.injectLatency(options.latency);
    const setupMs = performance.now() - setupStarted;

    const scenarios: ScenarioResult[] = [];
    const engineRun = async (
      scenario: string,
      profileKey: string,
      bound: CallBound,
      expected: ExpectedWrites,
      naive: ScenarioResult["naive"],
    ): Promise<void> => {
      progress(`${size.toLocaleString("en")} items: ${scenario}`);
      planned = null;
      await host.emulators.clearCalls();
      const { value: run, measure } = await runMeter.measure(() => host.sync(profileKey));
      const calls = countCalls(await host.emulators.calls(), BENCH_LISTS.engine);
      const { report } = run;
      const activitySpans = { ...run.activitySpans };
      if (activitySpans.prepareRun !== undefined) activitySpans.prepareRun -= measure.probeMs;
      const withinBound = calls.graph <= bound.graph && calls.confluence <= bound.confluence;
      scenarios.push({
        scenario,
        engine: {
          calls,
          bound,
          withinBound,
          measure,
          planned,
          activitySpans,
          counts: report.counts,
          check: checkWrites(report, expected),
        },
        naive,
      });
    };

    // The list's columns are read once per process and list (the engine caches them): by the first of these runs.
    const enumeration = Math.ceil(size / GRAPH_PAGE_SIZE);
    const pages = `${enumeration} enumeration page${enumeration === 1 ? "" : "s"} of ${GRAPH_PAGE_SIZE}`;
    const appends = site.pageHoldsPart ? 0 : site.rowsOnPage;
    await engineRun(
      "first sync, page empty",
      "bench-empty",
      {
        graph: enumeration + 1,
        confluence: 1 + (appends > 0 ? 1 : 0),
        rule: `${pages} + the column read; the page read${appends > 0 ? " + 1 PUT" : ""}`,
      },
      { sharePoint: 0, confluence: appends },
      "first",
    );
    await engineRun(
      "first sync, page filled",
      "bench-engine",
      { graph: enumeration, confluence: 1, rule: `${pages}; the page read` },
      { sharePoint: 0, confluence: 0 },
      "first",
    );
    const idle: CallBound = { graph: 1, confluence: 1, rule: "1 delta + 1 page read" };
    // The first idle run after changes plans in full (and, planning nothing, marks the cursor quiet); the steady
    // idle run after it is a quiet run, which loads no state row.
    await engineRun("idle, first after changes", "bench-engine", idle, { sharePoint: 0, confluence: 0 }, "steady");
    await engineRun("idle", "bench-engine", idle, { sharePoint: 0, confluence: 0 }, "steady");
    for (const k of options.edits) {
      for (const edit of site.sharePointEdits(site.spreadIds(k)))
        await host.emulators.editItem(BENCH_SITE_ID, BENCH_LISTS.engine, String(edit.id), edit.fields);
      const pages = Math.ceil(k / GRAPH_PAGE_SIZE);
      await engineRun(
        `${k} SharePoint edits`,
        "bench-engine",
        { graph: pages, confluence: 2, rule: `${pages} delta + 1 page read + 1 PUT` },
        { sharePoint: 0, confluence: k },
        "steady",
      );
    }
    for (const k of options.edits) {
      await host.emulators.savePage(BENCH_PAGES.engine, site.confluenceEdits(site.spreadIds(k)));
      const batches = Math.ceil(k / 20);
      await engineRun(
        `${k} Confluence edits`,
        "bench-engine",
        { graph: 1 + batches, confluence: 1, rule: `1 delta + ${batches} $batch + 1 page read` },
        { sharePoint: k, confluence: 0 },
        "steady",
      );
    }

    const naiveRun = async (label: string): Promise<NaiveRun> => {
      progress(`${size.toLocaleString("en")} items: naive full scan, ${label}`);
      const { sharePoint, confluence } = await host.clients("bench-naive");
      await host.emulators.clearCalls();
      const { value: summary, measure } = await runMeter.measure(() =>
        runNaiveFullScan(sharePoint, confluence, {
          pageId: BENCH_PAGES.naive,
          concurrency: options.naiveConcurrency,
          pageSize: GRAPH_PAGE_SIZE,
          appendMissing: !site.pageHoldsPart,
          onAllRead: () => runMeter.probe(),
        }),
      );
      return { calls: countCalls(await host.emulators.calls(), BENCH_LISTS.naive), measure, summary };
    };
    const first = await naiveRun("first run");
    const steady = await naiveRun("second run");
    const heldParts = await engineHeldParts(host, runMeter, "bench-engine");
    return {
      size,
      rowsOnPage: site.rowsOnPage,
      pageHoldsPart: site.pageHoldsPart,
      setupMs,
      scenarios,
      naive: { first, steady },
      heldParts,
    };
  } finally {
    meter?.close();
    await host.close();
  }
}

interface ExpectedWrites {
  sharePoint: number;
  confluence: number;
}

function checkWrites(report: RunReport, expected: ExpectedWrites): EngineRun["check"] {
  const { sharePoint, confluence } = report.counts;
  const found = {
    sharePoint: sharePoint.created + sharePoint.updated + sharePoint.deleted,
    confluence: confluence.created + confluence.updated + confluence.deleted,
  };
  const describe = (writes: ExpectedWrites) => `SharePoint ${writes.sharePoint}, Confluence ${writes.confluence}`;
  const ok =
    found.sharePoint === expected.sharePoint &&
    found.confluence === expected.confluence &&
    report.counts.conflicts === 0 &&
    report.counts.errors === 0;
  return {
    ok,
    expected: `${describe(expected)} writes, no conflict or error`,
    found: `${describe(found)} writes, ${report.counts.conflicts} conflicts, ${report.counts.errors} errors`,
  };
}

const AUTH_KINDS = new Set(["sign-in", "token refresh", "site lookup"]);

function countCalls(served: ServedCalls, listId: string): RunCalls {
  const graph = tallyCalls([...served.identity, ...served.graph], graphCallKind(listId));
  const confluence = tallyCalls(served.confluence, confluenceCallKind);
  const auth = (tally: ServiceCalls) =>
    tally.kinds.filter((kind) => AUTH_KINDS.has(kind.kind)).reduce((sum, kind) => sum + kind.calls, 0);
  return {
    graph: graph.total - auth(graph),
    confluence: confluence.total - auth(confluence),
    auth: auth(graph) + auth(confluence),
    batchedOperations: graph.batchedOperations,
    kinds: { graph: graph.kinds, confluence: confluence.kinds },
  };
}

/** Settings from the environment, so `npm run bench` needs no arguments; validated here, at the edge. */
const envSchema = z.object({
  SYNC_BENCH_SIZES: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default("1000,10000"),
  SYNC_BENCH_100K: z.enum(["0", "1"]).default("0"),
  SYNC_BENCH_EDITS: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default("10,100"),
  SYNC_BENCH_GRAPH_LATENCY_MS: z.coerce.number().int().min(0).default(20),
  SYNC_BENCH_CONFLUENCE_LATENCY_MS: z.coerce.number().int().min(0).default(30),
  SYNC_BENCH_NAIVE_CONCURRENCY: z.coerce.number().int().min(1).default(4),
  SYNC_BENCH_PAGE_BUDGET_BYTES: z.coerce.number().int().min(10_000).max(5_000_000).default(4_000_000),
  // Read by bench/index.ts, which starts the benchmarks in a process with that heap limit; validated here too.
  SYNC_BENCH_MAX_HEAP_MB: z.coerce.number().int().min(64).optional(),
});

export function syncBenchOptionsFromEnv(env: NodeJS.ProcessEnv): SyncBenchOptions {
  const parsed = envSchema.parse(env);
  const list = (text: string) => text.split(",").map(Number);
  return {
    sizes: [...list(parsed.SYNC_BENCH_SIZES), ...(parsed.SYNC_BENCH_100K === "1" ? [100_000] : [])],
    edits: list(parsed.SYNC_BENCH_EDITS),
    latency: { graphMs: parsed.SYNC_BENCH_GRAPH_LATENCY_MS, confluenceMs: parsed.SYNC_BENCH_CONFLUENCE_LATENCY_MS },
    naiveConcurrency: parsed.SYNC_BENCH_NAIVE_CONCURRENCY,
    pageBudgetBytes: parsed.SYNC_BENCH_PAGE_BUDGET_BYTES,
  };
}

/** `npm run bench`'s entry: the text tables on stdout, or (`json`) the whole result as JSON. */
export const syncBenchmark = {
  key: "sync",
  name: "sync: the engine vs invariant 5's lower bound and a naive full scan, against the emulators with latency",
  async run(output: {
    json: boolean;
    write: (text: string) => void;
    progress: (line: string) => void;
  }): Promise<SyncBenchResult> {
    const options = { ...syncBenchOptionsFromEnv(process.env), progress: output.progress };
    const result = await runSyncBench(options);
    if (!output.json) output.write(syncBenchText(result));
    return result;
  },
};
