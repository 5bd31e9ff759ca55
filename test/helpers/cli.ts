import { spawn } from "node:child_process";
import path from "node:path";
import { runCli } from "../../shared/cli/main";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `confluence-sync …` in this process (fast; what most CLI tests use). */
export async function runCliInProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
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
  });
  return { code, stdout, stderr };
}

export const repoRoot = path.resolve(__dirname, "../..");
export const binPath = path.join(repoRoot, "bin", "confluence-sync.js");

/**
 * Starts the built `confluence-sync` (bin/ → dist/) as a child process, exactly as `npx confluence-sync` would.
 * `npm test` builds dist/ before running tests, so the child runs the code under test.
 */
export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
