import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { runCli } from "../../cli/main";
import { trustCertificateInProcess } from "../../dev/emulators/common/tls";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `confluence-sync …` in this process (fast; what most CLI tests use). */
export async function runCliInProcess(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    stdin?: string;
    /** Answers `readLine` prompts (what a person types, e.g. a pasted address). */
    readLine?: (prompt: string) => Promise<string>;
    /** The person's browser: what the command asks to open. */
    openUrl?: (url: string) => Promise<void>;
    /** stderr as a terminal of this width (progress is then one line redrawn in place). */
    terminalColumns?: number;
  } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin !== undefined ? { readStdin: async () => options.stdin! } : {}),
    ...(options.readLine ? { readLine: options.readLine } : {}),
    ...(options.openUrl ? { openUrl: options.openUrl } : {}),
    ...(options.terminalColumns !== undefined
      ? { stderrIsTTY: true, stderrColumns: options.terminalColumns }
      : { stderrIsTTY: false }),
  });
  return { code, stdout, stderr };
}

export const repoRoot = path.resolve(__dirname, "../..");
export const binPath = path.join(repoRoot, "bin", "confluence-sync.js");

/**
 * Starts the built `confluence-sync` (bin/ → dist/) as a child process, exactly as `npx confluence-sync` would.
 * `npm test` builds dist/ before running tests, so the child runs the code under test.
 */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: "pipe" } = {},
): ChildProcessByStdio<Writable | null, Readable, Readable> {
  return spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>; // stdout and stderr are always pipes
}

/** A `confluence-sync emulators` child process serving a seed, with the ports file it wrote. */
export interface ServedEmulators<Ports> {
  ports: Ports & { caCertPath: string };
  stop(): Promise<void>;
}

/**
 * Runs `confluence-sync emulators --seed … --ports-file …` as a real child process, waits until it says it is
 * ready, trusts the certificate it wrote (as a curl user would with --cacert) and returns the ports file.
 */
export async function serveEmulatorsFromCli<Ports>(seed: unknown): Promise<ServedEmulators<Ports>> {
  const dir = await mkdtemp(path.join(tmpdir(), "emulators-cli-"));
  const seedFile = path.join(dir, "seed.json");
  const portsFile = path.join(dir, "ports.json");
  await writeFile(seedFile, JSON.stringify(seed));
  const child = spawnCli(["emulators", "--seed", seedFile, "--ports-file", portsFile]);
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("emulators ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`emulators exited early (${code}): ${output}`)));
  });
  const ports = JSON.parse(await readFile(portsFile, "utf8")) as Ports & { caCertPath: string };
  trustCertificateInProcess(await readFile(ports.caCertPath, "utf8"));
  return {
    ports,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
