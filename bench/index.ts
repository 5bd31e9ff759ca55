/**
 * `npm run bench`: every benchmark, one after another, each printing its own numbers. Benchmarks register here;
 * targets are checked by the benchmarks themselves and reported, never asserted by timed tests.
 *
 * `npm run bench -- sync` runs only the benchmarks named; `--json` prints one JSON document (`{ "<key>": result }`)
 * of those that have a machine-readable result, with progress on stderr.
 */
import { spawn } from "node:child_process";
import { mappingBenchmark } from "./mappingBench";
import { pagesBenchmark } from "./pagesBench";
import { redactionBenchmark } from "./redactionBench";
import { syncBenchmark } from "./syncBench";

interface BenchOutput {
  json: boolean;
  write: (text: string) => void;
  progress: (line: string) => void;
}

interface Benchmark {
  key: string;
  name: string;
  /** Whether `run` returns a result worth printing as JSON. */
  json: boolean;
  run: (output: BenchOutput) => Promise<unknown>;
}

const benchmarks: Benchmark[] = [
  { key: "mapping", name: mappingBenchmark.name, json: false, run: () => mappingBenchmark.run() },
  { key: syncBenchmark.key, name: syncBenchmark.name, json: true, run: (output) => syncBenchmark.run(output) },
  { key: redactionBenchmark.key, name: redactionBenchmark.name, json: true, run: () => redactionBenchmark.run() },
  { key: pagesBenchmark.key, name: pagesBenchmark.name, json: true, run: (output) => pagesBenchmark.run(output) },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const named = args.filter((arg) => !arg.startsWith("--"));
  const unknown = named.filter((key) => !benchmarks.some((benchmark) => benchmark.key === key));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(", ")}; known: ${benchmarks.map((b) => b.key).join(", ")}`);
  const selected = benchmarks.filter(
    (benchmark) => (named.length === 0 || named.includes(benchmark.key)) && (!json || benchmark.json),
  );
  const output: BenchOutput = {
    json,
    write: (text) => process.stdout.write(text),
    progress: (line) => process.stderr.write(`  … ${line}\n`),
  };
  const results: Record<string, unknown> = {};
  for (const benchmark of selected) {
    if (!json) process.stdout.write(`\n## ${benchmark.name}\n`);
    results[benchmark.key] = await benchmark.run(output);
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

/**
 * `SYNC_BENCH_MAX_HEAP_MB=n`: the benchmarks run in a process whose V8 heap may not grow beyond n MB, as on an instance
 * with little memory (Node sizes the heap from the memory the instance has). V8 then collects garbage that it would
 * otherwise let grow, so the heap figures come close to what a run really holds; a run that needs more fails with
 * "heap out of memory". The limit is set when the process starts: this one starts the benchmarks again in one that
 * has it.
 */
function withHeapLimit(): Promise<number> | undefined {
  const limit = process.env.SYNC_BENCH_MAX_HEAP_MB;
  if (limit === undefined || limit === "" || process.execArgv.some((arg) => arg.startsWith("--max-old-space-size")))
    return undefined;
  if (!/^\d+$/.test(limit)) throw new Error(`SYNC_BENCH_MAX_HEAP_MB must be a number of megabytes, not "${limit}"`);
  const child = spawn(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${limit}`, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

const limited = withHeapLimit();
if (limited !== undefined) {
  void limited.then((code) => {
    process.exitCode = code;
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
