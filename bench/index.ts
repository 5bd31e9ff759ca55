/**
 * `npm run bench`: every benchmark, one after another, each printing its own numbers. Benchmarks register here;
 * targets are checked by the benchmarks themselves and reported, never asserted by timed tests.
 */
import { mappingBenchmark } from "./mappingBench";

const benchmarks: Array<{ name: string; run: () => Promise<void> }> = [mappingBenchmark];

async function main(): Promise<void> {
  if (benchmarks.length === 0) {
    process.stdout.write("no benchmarks registered yet\n");
    return;
  }
  for (const benchmark of benchmarks) {
    process.stdout.write(`\n## ${benchmark.name}\n`);
    await benchmark.run();
  }
}

void main();
