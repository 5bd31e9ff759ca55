import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/** Azurite's documented development account; not a secret (it is printed in Azure's own docs). */
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzuriteTable {
  /** e.g. `http://127.0.0.1:51234/devstoreaccount1` */
  tableEndpoint: string;
  connectionString: string;
  close(): Promise<void>;
}

export interface AzuriteTableOptions {
  /** Folder to persist tables in; in memory when absent. */
  location?: string;
  /** Fixed port; a free one is picked when absent. */
  port?: number;
}

/**
 * Starts Azurite's table service as a child process (the npm package's own CLI, run by the current Node), on
 * loopback, and waits until it accepts connections. Used by the test global setup, the demo and the local CLI.
 */
export async function startAzuriteTable(options: AzuriteTableOptions = {}): Promise<RunningAzuriteTable> {
  const script = require.resolve("azurite/dist/src/table/main.js");
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const args = [
      script,
      "--tableHost",
      "127.0.0.1",
      "--tablePort",
      String(port),
      "--silent",
      "--disableTelemetry",
      "--skipApiVersionCheck",
    ];
    if (options.location) {
      await mkdir(options.location, { recursive: true });
      args.push("--location", options.location);
    } else {
      args.push("--inMemoryPersistence");
    }
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitForPort(port, child, 20_000);
    } catch (error) {
      child.kill("SIGKILL");
      // A port picked as free can be taken before Azurite binds it; try another a few times.
      if (attempt < 3 && options.port === undefined) continue;
      throw new Error(`Azurite table service did not start on port ${port}: ${String(error)} ${stderr.trim()}`);
    }
    const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
    return {
      tableEndpoint,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
      close: () => stop(child),
    };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await delay(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
  });
}
