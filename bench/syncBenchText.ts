import type { EngineRun, NaiveRun, SizeResult, SyncBenchResult } from "./syncBench";

/**
 * The sync benchmark for people: the settings, then per list size one table of API calls (engine, invariant 5's
 * bound, naive baseline) and one of time and memory, then what the memory figures say about "one page of items plus
 * the state rows it needs".
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
  lines.push(
    "",
    `machine: ${machine.cores} cores, load ${machine.loadBefore.toFixed(2)} → ${machine.loadAfter.toFixed(2)}, Node ${machine.node}${machine.gcExposed ? "" : ", WITHOUT --expose-gc: heap figures include garbage"}`,
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
    table(["scenario", "engine calls (G + C)", "bound (G + C)", "engine/bound", "auth", "naive calls", "naive/engine", ""], callRows),
    `bounds: ${[...new Map(size.scenarios.map((s) => [s.engine.bound.rule, s.scenario])).entries()].map(([rule, scenario]) => `${scenario}: ${rule}`).join("; ")}`,
    `naive run: ${naiveSummary(naive.first)}; second run the same: ${naiveSummary(naive.steady)}`,
    "",
    table(["scenario", "engine wall", "naive wall", "naive/engine", "prepare · batches · page · commit", "planning (share)", "heap held", "naive held", "heap peak +", "RSS peak (+ in run)", "state requests"], timeRows),
  ];
}

/** The activities' spans in the run's order; the SharePoint batches run side by side, so theirs is one span. */
function phases(run: EngineRun): string {
  const span = (name: string) => run.activitySpans[name];
  return ["prepareRun", "applySharePointBatch", "applyConfluencePage", "commitRun"].map((name) => (span(name) === undefined ? "-" : ms(span(name)!))).join(" · ");
}

function naiveSummary(run: NaiveRun): string {
  const { summary } = run;
  return `${count(summary.itemsRead)} items and ${count(summary.rowsRead)} rows read, ${count(summary.itemsWritten)} items written (${summary.writesFailed} failed), ${count(summary.rowsWritten)} rows saved, ${ms(run.measure.wallMs)}`;
}

/**
 * The claim of DESIGN.md §5 checked: what the engine holds at its fullest moment on an idle run, against list size.
 * If it held one page of items plus the state rows it needs, the idle figure would not grow with the list.
 */
function memorySection(sizes: readonly SizeResult[]): string[] {
  const find = (size: SizeResult, scenario: string) => size.scenarios.find((s) => s.scenario === scenario)?.engine;
  const rows = sizes.map((size) => {
    const first = find(size, "first sync, page empty");
    const idle = find(size, "idle");
    const idleHeld = idle?.measure.memory.heapHeld ?? null;
    return [
      count(size.size),
      first === undefined ? "-" : held(first),
      idle === undefined ? "-" : held(idle),
      idleHeld === null ? "-" : `${Math.round(idleHeld / size.size)} B`,
      `${mb(size.heldParts.stateRows)} (${Math.round(size.heldParts.stateRows / Math.max(1, idle?.planned?.stateRows ?? 1))} B/row)`,
      `${mb(size.heldParts.page)} (${Math.round(size.heldParts.page / Math.max(1, size.rowsOnPage))} B/row)`,
      idle?.planned ? `${count(idle.planned.stateRows)} state rows, ${count(idle.planned.pageRows)} rows, ${count(idle.planned.sharePointItems)} items` : "-",
      idle === undefined ? "-" : String(idle.measure.stateRequests),
    ];
  });
  return [
    `## memory: "no more than one page of items plus the state rows it needs" (heap held right after planning)`,
    table(["items", "first sync (page empty)", "idle run", "idle, per item", "of which state rows", "page read", "idle run planned with", "idle state requests"], rows),
  ];
}

function held(run: EngineRun | NaiveRun): string {
  const bytes = run.measure.memory.heapHeld;
  return bytes === null ? "-" : mb(bytes);
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
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
