import os from "node:os";
import { SaxesParser } from "saxes";
import { buildFieldCodecs, parseStorage, patchTable, readTableRows, selectManagedTable, type TableEdit } from "../shared/mapping";

const ROWS = 2000;
const COLUMNS = 10;
const PATCHED_CELLS = 50;
const TARGET_MS = 100;

/**
 * The SyncMapper on a big page: parse a page holding a 2,000-row × 10-column table (Cloud editor shape: `<p>` in
 * cells, a status column, dates), find and check the managed table, patch 50 cells. Also reports reading every row
 * through the codecs, which the engine does on each run.
 */
export const mappingBenchmark = {
  name: `mapping: parse + patch ${PATCHED_CELLS} cells of a ${ROWS.toLocaleString("en")}-row × ${COLUMNS}-column table`,
  async run(): Promise<void> {
    const source = buildPage();
    const columns = [
      { name: "Title", text: { maxLength: 255 } },
      { name: "Status", choice: { choices: ["To do", "In progress", "Done"] } },
      { name: "Due", dateTime: { format: "dateOnly" as const } },
      ...Array.from({ length: COLUMNS - 4 }, (_, index) => ({ name: `Text${index}`, text: { maxLength: 255 } })),
    ];
    const fields = columns.map((column) => ({ sharePoint: column.name, confluence: column.name }));
    const codecs = buildFieldCodecs(fields, columns);
    if (!codecs.ok) throw codecs.errors[0];
    const edits: TableEdit[] = Array.from({ length: PATCHED_CELLS / 2 }, (_, index) => ({
      kind: "update",
      row: (index * 79) % ROWS,
      values: { Title: `Changed title ${index}`, Status: index % 2 === 0 ? "Done" : "To do" },
    }));

    // The floor: one pass of the XML tokenizer over the page, building nothing. Its time shows how fast this machine
    // is right now, so the ratios below mean the same on a busy machine as on a quiet one.
    const tokenizerPass = (): number => {
      const parser = new SaxesParser({ fragment: true, xmlns: false, position: true });
      Object.assign(parser.ENTITIES, { nbsp: "\u00a0", mdash: "\u2014" });
      const t0 = performance.now();
      parser.write(source).close();
      return performance.now() - t0;
    };

    const run = (): { parse: number; select: number; patch: number; read: number; cpu: number; bytes: number } => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const parsed = parseStorage(source, { pageId: "1" });
      if (!parsed.ok) throw parsed.error;
      const t1 = performance.now();
      const selected = selectManagedTable(parsed.document, { keyColumn: "ID", table: { index: 0 } }, codecs.codecs);
      if (!selected.ok) throw selected.errors[0];
      const t2 = performance.now();
      const patched = patchTable(selected.table, edits);
      if (!patched.ok || patched.rejected.length > 0) throw new Error("patch failed");
      const t3 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      readTableRows(selected.table);
      const t4 = performance.now();
      return { parse: t1 - t0, select: t2 - t1, patch: t3 - t2, read: t4 - t3, cpu: (cpu.user + cpu.system) / 1000, bytes: patched.storage.length };
    };

    for (let warm = 0; warm < 3; warm += 1) run();
    // Each run starts from a collected heap, so one run's garbage is not collected on the next run's clock.
    const samples = Array.from({ length: 10 }, () => {
      globalThis.gc?.();
      const floor = tokenizerPass();
      globalThis.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const sample = run();
      return { ...sample, floor, heap: process.memoryUsage().heapUsed - heapBefore };
    });
    const median = (pick: (s: (typeof samples)[number]) => number): number => {
      const sorted = samples.map(pick).sort((a, b) => a - b);
      return ((sorted[4] ?? 0) + (sorted[5] ?? 0)) / 2;
    };
    // On a shared machine the fastest run is the best estimate of the work itself; the median shows the noise.
    const fastest = (pick: (s: (typeof samples)[number]) => number): number => Math.min(...samples.map(pick));
    const total = median((s) => s.parse + s.select + s.patch);
    const best = fastest((s) => s.parse + s.select + s.patch);
    const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    const lines = [
      `page: ${mb(source.length * 2)} in memory (${source.length.toLocaleString("en")} characters), ${ROWS * COLUMNS} cells`,
      `(median / fastest of ${samples.length} runs)`,
      `parse:                ${median((s) => s.parse).toFixed(1)} / ${fastest((s) => s.parse).toFixed(1)} ms`,
      `select + check table: ${median((s) => s.select).toFixed(1)} / ${fastest((s) => s.select).toFixed(1)} ms`,
      `patch ${PATCHED_CELLS} cells:       ${median((s) => s.patch).toFixed(1)} / ${fastest((s) => s.patch).toFixed(1)} ms`,
      `parse + select + patch: ${total.toFixed(1)} / ${best.toFixed(1)} ms wall (target < ${TARGET_MS} ms: ${best < TARGET_MS ? "met" : "MISSED"}), ${median((s) => s.cpu).toFixed(1)} ms CPU of this process (GC threads included)`,
      `tokenizer pass alone (saxes, no tree): ${median((s) => s.floor).toFixed(1)} / ${fastest((s) => s.floor).toFixed(1)} ms; parse + select + patch = ${median((s) => (s.parse + s.select + s.patch) / s.floor).toFixed(1)}× that`,
      `load average while measuring: ${os.loadavg()[0]?.toFixed(2)} on ${os.availableParallelism()} cores (wall times on a shared machine vary with it)`,
      `read all rows through codecs: ${median((s) => s.read).toFixed(1)} / ${fastest((s) => s.read).toFixed(1)} ms`,
      `heap held after a run (page tree, table model, patched page): ${mb(Math.max(...samples.map((s) => s.heap)))}; process peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

function buildPage(): string {
  const header = `<tr><th><p><strong>ID</strong></p></th><th><p><strong>Title</strong></p></th><th><p><strong>Status</strong></p></th><th><p><strong>Due</strong></p></th>${Array.from({ length: COLUMNS - 4 }, (_, i) => `<th><p><strong>Text${i}</strong></p></th>`).join("")}</tr>`;
  const statuses = ["To do", "In progress", "Done"];
  const colours = ["Grey", "Blue", "Green"];
  const rows = Array.from({ length: ROWS }, (_, row) => {
    const status = row % 3;
    const day = String((row % 28) + 1).padStart(2, "0");
    return (
      `<tr><td><p>${row + 1}</p></td><td><p>Item number ${row + 1} &mdash; with some&nbsp;text</p></td>` +
      `<td><p><ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="m-${row}"><ac:parameter ac:name="title">${statuses[status]}</ac:parameter><ac:parameter ac:name="colour">${colours[status]}</ac:parameter></ac:structured-macro></p></td>` +
      `<td><p><time datetime="2026-03-${day}" /></p></td>` +
      Array.from({ length: COLUMNS - 4 }, (_, i) => `<td><p>value ${row}/${i} <strong>bold</strong></p></td>`).join("") +
      "</tr>"
    );
  });
  return `<h2>Tracker</h2><p>Intro.</p><table data-layout="wide" ac:local-id="t"><colgroup>${"<col />".repeat(COLUMNS)}</colgroup><tbody>${header}${rows.join("")}</tbody></table><p>After.</p>`;
}
