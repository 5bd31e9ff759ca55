import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConfigServices, openConfigServices, readAppSettings } from "../../shared/config";
import { EMULATOR_ENDPOINT_SETTINGS } from "../emulators/emulatorEndpoints";
import type { ServedCall } from "./apiCallTally";

/** The sandbox's module (seed, profile, people's edits): development tooling, loaded only by the demo. */
export type SandboxModule = typeof import("./scenario/index.js");

/** Where each emulator listens. */
export interface SandboxUrls {
  graphBaseUrl: string;
  authorityHost: string;
  confluenceBaseUrl: string;
  confluenceAuthBaseUrl: string;
  confluenceApiBaseUrl: string;
}

/** Everything the demo runs on, started in this process (Azurite as a child process), and how to stop it. */
export interface SandboxHost {
  sandbox: SandboxModule;
  /** The temporary CONFLUENCE_SYNC_HOME. */
  home: string;
  urls: SandboxUrls;
  /** Profiles and secrets in the home's SQLite; its settings point the state tables at the sandbox's Azurite. */
  config: ConfigServices;
  /** The emulators' request logs since the last `clearRequestLogs`, per service. */
  requestLogs(): Promise<{ graph: ServedCall[]; confluence: ServedCall[] }>;
  clearRequestLogs(): Promise<void>;
  /** What `GET /_admin/state` serves, per emulator (everything, in seed shapes, with versions and eTags). */
  adminState(): Promise<{ graph: unknown; confluence: unknown }>;
  /** Adds something to stop before the sandbox itself (last added, first stopped). */
  onClose(stop: () => Promise<void>): void;
  /** Stops everything; removes the home folder unless it is to be kept. */
  close(options: { keepHome: boolean }): Promise<void>;
}

/**
 * Starts the sandbox: the Graph (+ identity) and Confluence emulators from the sandbox seed over HTTPS, their
 * certificate trusted by this process only; an Azurite table service, in memory (or, to keep the state for a later
 * `diagnostics`, under the home folder); and the profile store and secrets provider the CLI uses (SQLite in a fresh
 * CONFLUENCE_SYNC_HOME). Nothing outside the home folder is touched, and the environment is not read: the demo is
 * the same on every machine.
 */
export async function startSandboxHost(options: {
  persistState: boolean;
  cwd: string;
  /** More start-up work (e.g. loading the engine) to do while Azurite boots. */
  whileStarting?: () => Promise<void>;
  /** Another seed than the sandbox's own (the pages demo's). */
  seed?: Record<string, unknown>;
}): Promise<SandboxHost> {
  const home = await mkdtemp(path.join(tmpdir(), "confluence-sync-demo-"));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // Azurite is a child process that takes the longest to boot: start it first, load the rest meanwhile.
    const { startAzuriteTable } = await import("../emulators/azuriteTable.js");
    const azuriteStarting = startAzuriteTable(options.persistState ? { location: path.join(home, "azurite") } : {});
    azuriteStarting.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
    stops.push(async () => (await azuriteStarting).close());
    const [sandbox, { startEmulatorsFromSeed }, { trustCertificateInProcess }] = await Promise.all([
      import("./scenario/index.js"),
      import("../emulators/startEmulators.js"),
      import("../emulators/common/tls.js"),
    ]);
    const emulators = await startEmulatorsFromSeed(
      options.seed ?? (sandbox.sandboxSeed() as unknown as Record<string, unknown>),
      home,
    );
    stops.push(() => emulators.close());
    await options.whileStarting?.();
    trustCertificateInProcess(await readFile(emulators.ports.caCertPath, "utf8"));

    const graphUrls = emulators.ports.graph as { graphBaseUrl: string; authorityHost: string };
    const confluenceUrls = emulators.ports.confluence as { baseUrl: string; authBaseUrl: string; apiBaseUrl: string };
    const urls: SandboxUrls = {
      graphBaseUrl: graphUrls.graphBaseUrl,
      authorityHost: graphUrls.authorityHost,
      confluenceBaseUrl: confluenceUrls.baseUrl,
      confluenceAuthBaseUrl: confluenceUrls.authBaseUrl,
      confluenceApiBaseUrl: confluenceUrls.apiBaseUrl,
    };

    const azurite = await azuriteStarting;
    const settings = readAppSettings(
      {
        CONFLUENCE_SYNC_HOME: home,
        SECRETS_PROVIDER: "sqlite",
        PROFILE_STORE: "sqlite",
        AzureWebJobsStorage: azurite.connectionString,
        // The profile points at the loopback emulators: allowed here, explicitly, never by a default.
        ...EMULATOR_ENDPOINT_SETTINGS,
      },
      options.cwd,
    );
    const config = await openConfigServices(settings);
    stops.push(async () => config.close());

    const logOrigins = { graph: [urls.authorityHost, urls.graphBaseUrl], confluence: [urls.confluenceBaseUrl] };
    const read = async (origins: string[]): Promise<ServedCall[]> =>
      (await Promise.all(origins.map((origin) => adminJson<ServedCall[]>("GET", `${origin}/_admin/requests`)))).flat();
    return {
      sandbox,
      home,
      urls,
      config,
      onClose: (stop) => stops.push(stop),
      requestLogs: async () => ({ graph: await read(logOrigins.graph), confluence: await read(logOrigins.confluence) }),
      clearRequestLogs: async () => {
        await Promise.all(
          [...logOrigins.graph, ...logOrigins.confluence].map((origin) =>
            adminJson("DELETE", `${origin}/_admin/requests`),
          ),
        );
      },
      adminState: async () => ({
        graph: await adminJson("GET", `${urls.graphBaseUrl}/_admin/state`),
        confluence: await adminJson("GET", `${urls.confluenceBaseUrl}/_admin/state`),
      }),
      close: async ({ keepHome }) => {
        await stopAll();
        if (!keepHome) await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}

async function adminJson<T>(method: string, url: string): Promise<T> {
  const response = await fetch(url, { method });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
  const text = await response.text();
  return (text === "" ? undefined : JSON.parse(text)) as T;
}
