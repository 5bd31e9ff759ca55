import type { HeldPart } from "./engineHeldParts";
import type { EngineRun, NaiveRun, SizeResult, SyncBenchResult } from "./syncBench";

/**
 * The sync benchmark for people: the settings, then per list size one table of API calls (engine, invariant 5's bound,
 * naive baseline) and one of time and memory, then the memory figures against list size, then a summary of the targets
 * of docs/design.md §5: calls within invariant 5's bound, the idle run against the naive full scan, planning's share of
 * a run, and whether memory stays at "one page of items plus the state rows it needs".
 */
export function syncBenchText(result: SyncBenchResult): string {
  const { options, machine } = result;
  const lines: string[] = [
    `latency per call: Graph ${options.latency.graphMs} ms, Confluence ${options.latency.confluenceMs} ms (a $batch sub-request counts as a call: a $batch ≈ 2 latencies); ` +
      `baseline: ${options.naiveConcurrency} $batch calls in flight; pre-filled pages ≤ ${mb(options.pageBudgetBytes)} of storage`,
    `calls = Graph + Confluence requests from the emulators' logs, sign-in and token calls apart ("auth"); ratios > 1 mean the engine does better`,
  ];
  for (const size of result.sizes) lines.push("", ...sizeSection(size));
  lines.push("", ...memorySection(result.sizes));
  lines.push("", ...summarySection(result.sizes));
  lines.push(
    "",
    `machine: ${machine.cores} cores, load ${machine.loadBefore.toFixed(2)} → ${machine.loadAfter.toFixed(2)}, Node ${machine.node}, V8 heap limit ${mb(machine.heapLimit)}${machine.gcExposed ? "" : ", WITHOUT --expose-gc: heap figures include garbage"}`,
  );
  return `${lines.join("\n")}\n`;
}

function sizeSection(size: SizeResult): string[] {
  const page = size.pageHoldsPart
    ? `the page holds the first ${count(size.rowsOnPage)} (a page of ${count(size.size)} rows would exceed Confluence's 5 MB): rows synced both ways, the other items read and remembered, not appended`
    : `the page holds all of them`;
  const naiveOf = (scenario: { naive: "first" | "steady" }): NaiveRun => size.naive[scenario.naive];
  const callRows = size.scenarios.map((s) => {
    const engine = s.engine.calls.graph + s.engine.calls.confluence;
    const bound = s.engine.bound.graph + s.engine.bound.confluence;
    const naive = naiveOf(s).calls;
    return [
      s.scenario,
      `${s.engine.calls.graph} + ${s.engine.calls.confluence}`,
      `${s.engine.bound.graph} + ${s.engine.bound.confluence}`,
      ratio(engine, bound),
      s.engine.calls.auth === 0 ? "" : String(s.engine.calls.auth),
      `${naive.graph} + ${naive.confluence}`,
      ratio(naive.graph + naive.confluence, engine),
      s.engine.check.ok ? "" : `CHECK FAILED: expected ${s.engine.check.expected}, found ${s.engine.check.found}`,
    ];
  });
  const timeRows = size.scenarios.map((s) => {
    const naive = naiveOf(s).measure;
    const engine = s.engine.measure;
    const plan = s.engine.planned;
    return [
      s.scenario,
      ms(engine.wallMs),
      ms(naive.wallMs),
      ratio(naive.wallMs, engine.wallMs),
      phases(s.engine),
      plan === null ? "-" : `${ms(plan.planMs)} (${((100 * plan.planMs) / engine.wallMs).toFixed(1)} %)`,
      held(s.engine),
      held(naiveOf(s)),
      mb(engine.memory.heapPeakGrowth),
      `${mb(engine.memory.rssPeak)} (+${mb(engine.memory.rssGrowth)})`,
      String(engine.stateRequests),
    ];
  });
  const naive = size.naive;
  return [
    `## ${count(size.size)} items; ${page}; set-up ${ms(size.setupMs)}`,
    table(
      ["scenario", "engine calls (G + C)", "bound (G + C)", "engine/bound", "auth", "naive calls", "naive/engine", ""],
      callRows,
    ),
    `bounds: ${boundRules(size)}`,
    `naive run: ${naiveSummary(naive.first)}; second run the same: ${naiveSummary(naive.steady)}`,
    "",
    table(
      [
        "scenario",
        "engine wall",
        "naive wall",
        "naive/engine",
        "prepare · batches · page · commit",
        "planning (share)",
        "heap held",
        "naive held",
        "heap peak +",
        "RSS peak (+ in run)",
        "state requests",
      ],
      timeRows,
    ),
  ];
}

/** Each distinct bound rule once, named by the first scenario it applies to. */
function boundRules(size: SizeResult): string {
  const rules = new Map<string, string>();
  for (const s of size.scenarios) if (!rules.has(s.engine.bound.rule)) rules.set(s.engine.bound.rule, s.scenario);
  return [...rules].map(([rule, scenario]) => `${scenario}: ${rule}`).join("; ");
}

/** The activities' spans in the run's order; the SharePoint batches run side by side, so theirs is one span. */
function phases(run: EngineRun): string {
  const span = (name: string) => run.activitySpans[name];
  return ["prepareRun", "applySharePointBatch", "applyConfluencePage", "commitRun"]
    .map((name) => (span(name) === undefined ? "-" : ms(span(name)!)))
    .join(" · ");
}

function naiveSummary(run: NaiveRun): string {
  const { summary } = run;
  return `${count(summary.itemsRead)} items and ${count(summary.rowsRead)} rows read, ${count(summary.itemsWritten)} items written (${summary.writesFailed} failed), ${count(summary.rowsWritten)} rows saved, ${ms(run.measure.wallMs)}`;
}

/**
 * The claim of docs/design.md §5 checked (today's verdict: docs/performance.md#what-the-numbers-say): what the engine
 * holds at its fullest moment on an idle run, against list size. If it held one page of items plus the state rows it
 * needs, the idle figure would not grow with the list.
 */
function memorySection(sizes: readonly SizeResult[]): string[] {
  const find = (size: SizeResult, scenario: string) => size.scenarios.find((s) => s.scenario === scenario)?.engine;
  const rows = sizes.map((size) => {
    const first = find(size, "first sync, page empty");
    const idle = find(size, "idle");
    const idleHeld = idle?.measure.memory.heapHeld ?? null;
    // The run with the fewest edits: what a run with changes loads and keeps.
    const edits = size.scenarios.find((s) => / edits$/.test(s.scenario) && s.engine.planned !== null);
    const planned = edits?.engine.planned;
    return [
      count(size.size),
      first === undefined ? "-" : held(first),
      idle === undefined ? "-" : held(idle),
      idleHeld === null ? "-" : `${Math.round(idleHeld / size.size)} B`,
      part(size.heldParts.stateRows, idle?.planned?.stateRows ?? size.size),
      part(size.heldParts.page, size.rowsOnPage),
      edits === undefined || planned == null
        ? "-"
        : `${edits.scenario}: ${held(edits.engine)}; ${count(planned.stateRows)} state rows loaded, ${count(planned.settledRows)} of ${count(planned.pageRows)} rows settled, ${count(planned.idleAwaitingItems)} idle items`,
      idle === undefined ? "-" : String(idle.measure.stateRequests),
    ];
  });
  return [
    `## memory: "no more than one page of items plus the state rows it needs" (heap held at the run's fullest moment: right after planning; for a quiet run, after its two reads)`,
    table(
      [
        "items",
        "first sync (page empty)",
        "idle run",
        "idle, per item",
        "state rows alone (read in)",
        "page alone (read in)",
        "a run with edits: held; planned with",
        "idle state requests",
      ],
      rows,
    ),
  ];
}

/** The targets of docs/design.md §5, one line each, after one row per list size of the figures they rest on. */
function summarySection(sizes: readonly SizeResult[]): string[] {
  const runs = sizes.flatMap((size) =>
    size.scenarios.map((s) => ({ size: size.size, scenario: s.scenario, engine: s.engine })),
  );
  const over = runs.filter((run) => !run.engine.withinBound);
  const atBound = runs.filter(
    (run) =>
      run.engine.calls.graph === run.engine.bound.graph && run.engine.calls.confluence === run.engine.bound.confluence,
  ).length;
  const callsVerdict =
    over.length === 0
      ? `invariant 5 (API calls): met — ${runs.length} of ${runs.length} engine runs within their bound (${atBound} exactly at it)`
      : `invariant 5 (API calls): NOT MET — over the bound: ${over.map((run) => `${count(run.size)} items, ${run.scenario}: ${run.engine.calls.graph} + ${run.engine.calls.confluence} > ${run.engine.bound.graph} + ${run.engine.bound.confluence}`).join("; ")}`;
  const planShares = runs.flatMap((run) =>
    run.engine.planned === null ? [] : [{ ...run, share: run.engine.planned.planMs / run.engine.measure.wallMs }],
  );
  const largest = planShares.reduce<(typeof planShares)[number] | undefined>(
    (top, run) => (top === undefined || run.share > top.share ? run : top),
    undefined,
  );
  const planVerdict =
    largest === undefined
      ? "planning: no run planned"
      : `planning ("a small fraction of a run"): at most ${(100 * largest.share).toFixed(1)} % of a run (${count(largest.size)} items, ${largest.scenario}); ` +
        `median ${(100 * median(planShares.map((run) => run.share))).toFixed(1)} %`;
  const rows = sizes.map((size) => {
    const find = (scenario: string) => size.scenarios.find((s) => s.scenario === scenario)?.engine;
    const idle = find("idle");
    const first = find("first sync, page filled");
    const edits = size.scenarios.filter((s) => / edits$/.test(s.scenario)).map((s) => s.engine.measure.wallMs);
    const naive = size.naive.steady;
    const versus = (engine: number | undefined, baseline: number, show: (value: number) => string) =>
      engine === undefined ? "-" : `${show(engine)} vs ${show(baseline)} (${ratio(baseline, engine)})`;
    return [
      count(size.size),
      idle === undefined
        ? "-"
        : versus(idle.calls.graph + idle.calls.confluence, naive.calls.graph + naive.calls.confluence, String),
      versus(idle?.measure.wallMs, naive.measure.wallMs, ms),
      edits.length === 0 ? "-" : `${ms(Math.min(...edits))}–${ms(Math.max(...edits))} vs ${ms(naive.measure.wallMs)}`,
      versus(first?.measure.wallMs, size.naive.first.measure.wallMs, ms),
      idle === undefined ? "-" : `${held(idle)} vs ${held(naive)}`,
    ];
  });
  return [
    `## summary: engine vs naive full scan (ratios > 1: the engine does better)`,
    table(
      [
        "items",
        "idle run: calls",
        "idle run: wall",
        "edit runs: wall",
        "first sync (page filled): wall",
        "idle run: heap held",
      ],
      rows,
    ),
    callsVerdict,
    planVerdict,
    memoryVerdict(
      sizes.map((size) => {
        const heldIn = (scenario: string) =>
          size.scenarios.find((s) => s.scenario === scenario)?.engine.measure.memory.heapHeld ?? null;
        const changes = size.scenarios
          .filter((s) => / edits$/.test(s.scenario))
          .map((s) => s.engine.measure.memory.heapHeld ?? 0);
        return { items: size.size, idle: heldIn("idle"), changes: changes.length > 0 ? Math.max(...changes) : null };
      }),
    ),
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Whether a run's memory grows with the list, for the steady idle run (a quiet run) and for runs with changes (which
 * plan in full). It should not, if a run held only what changed: more than √(growth of the list) counts as growing.
 */
function memoryVerdict(points: readonly { items: number; idle: number | null; changes: number | null }[]): string {
  const growth = (pick: (point: (typeof points)[number]) => number | null) => {
    const measured = points.flatMap((point) => {
      const bytes = pick(point);
      return bytes !== null && bytes > 0 ? [{ items: point.items, bytes }] : [];
    });
    const smallest = measured[0];
    const largest = measured[measured.length - 1];
    if (smallest === undefined || largest === undefined || smallest === largest) return undefined;
    const factor = largest.bytes / smallest.bytes;
    const items = largest.items / smallest.items;
    return {
      text: `${mb(smallest.bytes)} at ${count(smallest.items)} items, ${mb(largest.bytes)} at ${count(largest.items)} (${factor.toFixed(1)}× for ${items.toFixed(0)}× the items)`,
      grows: factor > Math.sqrt(items),
      perItem: largest.bytes / largest.items,
    };
  };
  const idle = growth((point) => point.idle);
  const changes = growth((point) => point.changes);
  if (idle === undefined || changes === undefined)
    return "memory: needs two list sizes (SYNC_BENCH_SIZES) to tell whether a run's memory grows with the list";
  return [
    `memory ("one page of items plus the state rows it needs"): a steady idle run (quiet: no state row loaded) holds ${idle.text}` +
      (idle.grows
        ? `, about ${Math.round(idle.perItem)} B per item: what grows is the page body it must read`
        : ": it does not grow with the list"),
    `        a run with changes holds ${changes.text}` +
      (changes.grows
        ? ": it grows with the list — a run that plans loads every state row of the profile and reads the whole table, so for runs with changes the claim does NOT hold"
        : ": it does not grow with the list, as the claim says"),
  ].join("\n");
}

function part(held: HeldPart, rows: number): string {
  return `${mb(held.bytes)}, ${Math.round(held.bytes / Math.max(1, rows))} B/row (${ms(held.ms)})`;
}

function held(run: EngineRun | NaiveRun): string {
  const bytes = run.measure.memory.heapHeld;
  return bytes === null ? "-" : mb(bytes);
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

function ratio(numerator: number, denominator: number): string {
  if (denominator === 0) return numerator === 0 ? "1.0×" : "∞";
  const value = numerator / denominator;
  return `${value >= 100 ? Math.round(value) : value.toFixed(value >= 10 ? 0 : 1)}×`;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function count(value: number): string {
  return value.toLocaleString("en");
}
