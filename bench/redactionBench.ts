import { randomBytes } from "node:crypto";
import { SecretRedactor } from "../shared/runtime";

const ROTATIONS = 20_000;
const LOOSE_VALUES = 20_000;
const SAMPLES = 200;
/** What one redaction may cost on a long-running worker, whatever it has registered (docs/performance.md). */
const TARGET_MS = 1;

/**
 * The secret redactor on a long-running worker: every Confluence refresh rotates the refresh token and the access
 * token and registers both, so a process up for months has seen tens of thousands of values. Measures one redaction
 * of a 2 KB log line after 20,000 rotations of one profile's tokens (registered under the profile's slots, as the
 * token manager does), and after 20,000 distinct unslotted values (the worst case the loose set must bound).
 */
export const redactionBenchmark = {
  key: "redaction",
  name: `redaction: one 2 KB log line after ${ROTATIONS.toLocaleString("en")} token rotations`,
  async run(): Promise<RedactionBenchResult> {
    const line = logLine();
    const rotated = new SecretRedactor();
    for (let i = 0; i < ROTATIONS; i += 1) {
      rotated.register(token(), "bench/ConfluenceRefreshToken");
      rotated.register(token(), "bench/confluenceAccessToken");
    }
    const loose = new SecretRedactor();
    // No common prefix here: the regular expression cannot skip ahead on one, the slowest case for it.
    for (let i = 0; i < LOOSE_VALUES; i += 1) loose.register(randomBytes(24).toString("base64url"));
    const result: RedactionBenchResult = {
      afterRotations: time(rotated, line),
      afterLooseValues: time(loose, line),
      targetMs: TARGET_MS,
    };
    process.stdout.write(
      [
        `after ${ROTATIONS.toLocaleString("en")} rotations (slots): median ${format(result.afterRotations.medianMs)}, slowest ${format(result.afterRotations.maxMs)}`,
        `after ${LOOSE_VALUES.toLocaleString("en")} unslotted values: median ${format(result.afterLooseValues.medianMs)}, slowest ${format(result.afterLooseValues.maxMs)}`,
        `target: median under ${TARGET_MS} ms in both: ${result.afterRotations.medianMs < TARGET_MS && result.afterLooseValues.medianMs < TARGET_MS ? "met" : "NOT met"}`,
        "",
      ].join("\n"),
    );
    return result;
  },
};

export interface RedactionTiming {
  medianMs: number;
  maxMs: number;
}

export interface RedactionBenchResult {
  afterRotations: RedactionTiming;
  afterLooseValues: RedactionTiming;
  targetMs: number;
}

function time(redactor: SecretRedactor, line: string): RedactionTiming {
  redactor.redact(line); // builds whatever the redactor caches
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const start = process.hrtime.bigint();
    redactor.redact(line);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(SAMPLES / 2)]!, maxMs: samples[SAMPLES - 1]! };
}

function token(): string {
  return `eyJraWQiOiJydCJ9.${randomBytes(32).toString("base64url")}`;
}

function logLine(): string {
  const fields = Array.from({ length: 30 }, (_, i) => `"field${i}":"value number ${i} of a log line"`).join(",");
  return `{"level":"warn","message":"confluence call failed; retrying",${fields}}`;
}

function format(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`;
}
