import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { trustCertificateInProcess } from "../dev/emulators/common/tls";
import type { ServedCall } from "../dev/sandbox";

/** How long the request logs must stay unchanged to count as complete, milliseconds. */
const LOG_SETTLE_MS = 50;

/** Where the emulators of one process listen (the ports file of `confluence-sync emulators`). */
export interface EmulatorUrls {
  graphBaseUrl: string;
  authorityHost: string;
  confluenceBaseUrl: string;
  confluenceAuthBaseUrl: string;
  confluenceApiBaseUrl: string;
}

/** What one service served: Graph with its identity service, and Confluence (API and OAuth on one server). */
export interface ServedCalls {
  graph: ServedCall[];
  identity: ServedCall[];
  confluence: ServedCall[];
}

/**
 * The Graph (+ identity) and Confluence emulators served by `confluence-sync emulators` in a child process, and their
 * admin surface. A child process, not in-process servers: what the benchmark samples (heap, RSS) must be the sync's
 * memory, not the 2 × 100,000 items and the page versions the emulators hold, and a remote service does not share the
 * sync's event loop either.
 */
export class EmulatorProcess {
  readonly urls: EmulatorUrls;
  readonly #child: ChildProcess;

  private constructor(urls: EmulatorUrls, child: ChildProcess) {
    this.urls = urls;
    this.#child = child;
  }

  /** Writes `seed` to `folder`, starts the emulators on it, and trusts their certificate in this process. */
  static async start(seed: unknown, folder: string): Promise<EmulatorProcess> {
    const seedFile = path.join(folder, "bench.seed.json");
    const portsFile = path.join(folder, "bench.ports.json");
    await writeFile(seedFile, JSON.stringify(seed), "utf8");
    const child = spawn(process.execPath, [cliEntry(), "emulators", "--seed", seedFile, "--ports-file", portsFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    try {
      await untilReady(child);
      const ports = JSON.parse(await readFile(portsFile, "utf8")) as {
        caCertPath: string;
        graph: { graphBaseUrl: string; authorityHost: string };
        confluence: { baseUrl: string; authBaseUrl: string; apiBaseUrl: string };
      };
      trustCertificateInProcess(await readFile(ports.caCertPath, "utf8"));
      return new EmulatorProcess(
        {
          graphBaseUrl: ports.graph.graphBaseUrl,
          authorityHost: ports.graph.authorityHost,
          confluenceBaseUrl: ports.confluence.baseUrl,
          confluenceAuthBaseUrl: ports.confluence.authBaseUrl,
          confluenceApiBaseUrl: ports.confluence.apiBaseUrl,
        },
        child,
      );
    } catch (error) {
      await stop(child);
      throw error;
    }
  }

  /** Every origin that logs calls, by service. */
  get #origins(): Record<keyof ServedCalls, string> {
    return {
      graph: this.urls.graphBaseUrl,
      identity: this.urls.authorityHost,
      confluence: this.urls.confluenceBaseUrl,
    };
  }

  /** Slows every call each service serves by its latency (a `$batch` sub-request counts as a call of its own). */
  async injectLatency(latency: { graphMs: number; confluenceMs: number }): Promise<void> {
    const origins = this.#origins;
    const spec = (latencyMs: number) => ({ path: ".*", latencyMs, times: -1 });
    await Promise.all([
      this.admin("POST", `${origins.graph}/_admin/faults`, spec(latency.graphMs)),
      this.admin("POST", `${origins.identity}/_admin/faults`, spec(latency.graphMs)),
      this.admin("POST", `${origins.confluence}/_admin/faults`, spec(latency.confluenceMs)),
    ]);
  }

  /**
   * The calls each service served since the last `clearCalls` (admin calls are never logged). An emulator logs a call
   * once its response has gone out (Fastify's `onResponse`), which can be just after the client has it: the logs are
   * read until two reads a moment apart agree.
   */
  async calls(): Promise<ServedCalls> {
    let last = await this.#readCalls();
    for (;;) {
      await delay(LOG_SETTLE_MS);
      const next = await this.#readCalls();
      if (
        next.graph.length === last.graph.length &&
        next.identity.length === last.identity.length &&
        next.confluence.length === last.confluence.length
      )
        return next;
      last = next;
    }
  }

  async #readCalls(): Promise<ServedCalls> {
    const origins = this.#origins;
    const [graph, identity, confluence] = await Promise.all(
      [origins.graph, origins.identity, origins.confluence].map((origin) =>
        this.admin<ServedCall[]>("GET", `${origin}/_admin/requests`),
      ),
    );
    return { graph: graph!, identity: identity!, confluence: confluence! };
  }

  async clearCalls(): Promise<void> {
    await Promise.all(Object.values(this.#origins).map((origin) => this.admin("DELETE", `${origin}/_admin/requests`)));
  }

  /** A person edits a list item (a new version, a new eTag, a delta change). */
  async editItem(siteId: string, listId: string, itemId: string, fields: Record<string, unknown>): Promise<void> {
    await this.admin("PATCH", `${this.urls.graphBaseUrl}/_admin/sites/${siteId}/lists/${listId}/items/${itemId}`, {
      fields,
    });
  }

  /** A person saves the page with this body (a new version). */
  async savePage(pageId: string, body: string): Promise<void> {
    await this.admin("PUT", `${this.urls.confluenceBaseUrl}/_admin/pages/${pageId}`, { body });
  }

  async admin<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`emulator admin ${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  close(): Promise<void> {
    return stop(this.#child);
  }
}

/** `bin/confluence-sync.js`, found upwards from here (this file runs from `bench/` under vitest, `dist/bench/` otherwise). */
function cliEntry(): string {
  for (let folder = __dirname; ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, "bin", "confluence-sync.js");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(folder) === folder) throw new Error(`bin/confluence-sync.js not found above ${__dirname}`);
  }
}

/** Resolves once the command says it is serving; rejects with its error output if it exits first. */
function untilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("emulators ready")) resolve();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(
        new Error(`the emulators exited (code ${code}) before they were ready: ${stderr.trim() || stdout.trim()}`),
      ),
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}
