/**
 * `npm run bench`: every benchmark, one after another, each printing its own numbers. Benchmarks register here;
 * targets are checked by the benchmarks themselves and reported, never asserted by timed tests.
 *
 * `npm run bench -- sync` runs only the benchmarks named; `--json` prints one JSON document (`{ "<key>": result }`)
 * of those that have a machine-readable result, with progress on stderr.
 */
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

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
