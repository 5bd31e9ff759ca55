import { afterEach, expect } from "vitest";
import { ProfileValidator, profileSchema, TableProfileStore, type Profile, type ProfileInput } from "../../shared/config";
import { createSyncActivities, type SyncActivities } from "../../shared/engine/activities";
import { createEngineServices, type EngineOptions, type EngineServices } from "../../shared/engine/engineServices";
import { runProfileSyncLocally, syncRegistry } from "../../shared/engine/localEngine";
import type { RunReport } from "../../shared/engine/runContract";
import type { LocalRunResult } from "../../shared/hosting/localDurableHost";
import { findTables, parseStorage, type ColumnDefinition } from "../../shared/mapping";
import { createMemoryLogger, type LogRecord } from "../../shared/runtime";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { SecretNames } from "../../shared/secrets/secretsProvider";
import { openStateStores, type StateStores } from "../../shared/state/stateStores";
import { generateEmulatorCertificate, trustCertificateInProcess, type EmulatorCertificate } from "../emulators/common/tls";
import type { RequestLogEntry } from "../emulators/common/requestLog";
import { startConfluenceEmulator, type ConfluenceEmulator } from "../emulators/confluence/confluenceEmulator";
import { startGraphEmulator, type RunningGraphEmulator } from "../emulators/graph/graphEmulator";
import { FAST_RETRY } from "./confluenceStack";
import { TEST_CLIENT_ID as CONFLUENCE_CLIENT_ID, TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET, TEST_CLOUD_ID, TEST_REFRESH_TOKEN, TEST_SITE_URL } from "./confluenceSite";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_LIST_ID, TEST_SITE_ID, TEST_TENANT_ID, testPeople } from "./graphSeed";
import { azuriteLocation, uniqueTablePrefix } from "./tables";

/**
 * A whole sync set-up in one process, for scenario tests, the model-based test and the demo: the Graph + identity
 * and Confluence emulators (one certificate, trusted in-process), state tables in the shared Azurite under a fresh
 * prefix, a stored profile with its secrets, the real engine and the real `syncProfile` orchestrator through the local
 * Durable host. People act on both sides through the emulators' admin surfaces; what the sync cost is read from
 * their request logs.
 */

export const HARNESS_PROFILE = "projects";
export const HARNESS_PAGE_ID = "98306";
const SPACE_ID = "65538";

/** The list's columns: a few of each kind the scenarios need. */
export const harnessColumns: ColumnDefinition[] = [
  { name: "Title", displayName: "Title", required: true, text: { allowMultipleLines: false, maxLength: 255 } },
  { name: "Status", displayName: "Status", choice: { allowTextEntry: false, choices: ["Open", "Doing", "Done"], displayAs: "dropDownMenu" } },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
  { name: "Owner", displayName: "Owner", personOrGroup: { allowMultipleSelection: false, chooseFromType: "peopleOnly", displayAs: "nameWithPresence" } },
  { name: "Due", displayName: "Due", dateTime: { displayAs: "default", format: "dateOnly" } },
];

/** The page's table headers in the default set-up: the key column and one per mapped field. */
export const HARNESS_HEADERS = ["ID", "Title", "Status", "Amount"];

export interface HarnessItem {
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SyncHarnessOptions {
  /** The list's items (SharePoint read shapes). */
  items?: readonly HarnessItem[];
  /** The table's data rows, cells in `headers` order (text). */
  rows?: readonly (readonly string[])[];
  headers?: readonly string[];
  /** Overrides of the profile (fields, policies, …). */
  profile?: Partial<ProfileInput>;
  columns?: readonly ColumnDefinition[];
  graphSettings?: Record<string, unknown>;
  /** Confluence seed options beyond the site and the page (e.g. `storageNormalization: "confluence"`). */
  confluenceSeed?: Record<string, unknown>;
  engine?: EngineOptions;
  /** Wraps the state stores the engine uses (to make a store fail at a chosen point). */
  wrapState?: (state: StateStores) => StateStores;
}

export interface HarnessSyncOptions {
  dryRun?: boolean;
}

let certificate: Promise<EmulatorCertificate> | undefined;

export async function startSyncHarness(options: SyncHarnessOptions = {}): Promise<SyncHarness> {
  certificate ??= generateEmulatorCertificate().then((generated) => {
    trustCertificateInProcess(generated.cert);
    return generated;
  });
  const cert = await certificate;
  const graph = await startGraphEmulator(
    {
      tenantId: TEST_TENANT_ID,
      clients: [{ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, displayName: "ConfluenceSync tests" }],
      people: testPeople,
      sites: [{ id: TEST_SITE_ID, displayName: "Contoso Projects", lists: [{ id: TEST_LIST_ID, displayName: "Projects", columns: options.columns ?? harnessColumns, items: options.items ?? [] }] }],
      settings: { shuffleBatchResponses: true, ...options.graphSettings },
    },
    { certificate: cert },
  );
  const headers = options.headers ?? HARNESS_HEADERS;
  const confluence = await startConfluenceEmulator(
    {
      cloudId: TEST_CLOUD_ID,
      siteUrl: TEST_SITE_URL,
      oauth: { clientId: CONFLUENCE_CLIENT_ID, clientSecret: CONFLUENCE_CLIENT_SECRET, refreshTokens: [TEST_REFRESH_TOKEN] },
      spaces: [{ id: SPACE_ID, key: "TEAM", name: "Team space", homepageId: "98305" }],
      pages: [
        { id: "98305", spaceId: SPACE_ID, title: "Team home", body: "<p>Welcome</p>" },
        { id: HARNESS_PAGE_ID, spaceId: SPACE_ID, parentId: "98305", title: "Projects", body: tableBody(headers, options.rows ?? []) },
      ],
      ...options.confluenceSeed,
    },
    { certificate: cert },
  );

  const location = azuriteLocation();
  const tablePrefix = uniqueTablePrefix("sync");
  const secrets = new InMemorySecretsProvider({ [HARNESS_PROFILE]: harnessSecretValues() });
  const profiles = await TableProfileStore.open(location, { tableName: `${tablePrefix}Profiles` });
  const profile = profileSchema.parse({
    key: HARNESS_PROFILE,
    sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
    confluence: { cloudId: TEST_CLOUD_ID, target: { mode: "table", pageId: HARNESS_PAGE_ID } },
    fields: [
      { sharePoint: "Title", confluence: "Title" },
      { sharePoint: "Status", confluence: "Status" },
      { sharePoint: "Amount", confluence: "Amount" },
    ],
    endpoints: {
      graphBaseUrl: graph.urls.graphBaseUrl,
      authorityHost: graph.urls.authorityHost,
      confluenceAuthBaseUrl: confluence.urls.authBaseUrl,
      confluenceApiBaseUrl: confluence.urls.apiBaseUrl,
    },
    ...options.profile,
  } satisfies ProfileInput);
  await profiles.save(profile);
  const opened = await openStateStores(location, { tablePrefix });
  const state = options.wrapState ? options.wrapState(opened) : opened;
  const logger = createMemoryLogger();
  const services = createEngineServices(
    { config: { secrets, profiles, validator: new ProfileValidator(secrets, profiles) }, state },
    { graphRetry: FAST_RETRY, confluenceRetry: FAST_RETRY, logger, ...options.engine },
  );
  return new SyncHarness({ graph, confluence, services, state: opened, profile, secrets, logger, headers });
}

/** The secrets a harness profile runs with (the emulators' seeded credentials), by name. */
export function harnessSecretValues(): Record<string, string> {
  return {
    [SecretNames.GraphTenantId]: TEST_TENANT_ID,
    [SecretNames.GraphClientId]: TEST_CLIENT_ID,
    [SecretNames.GraphClientSecret]: TEST_CLIENT_SECRET,
    [SecretNames.ConfluenceClientId]: CONFLUENCE_CLIENT_ID,
    [SecretNames.ConfluenceClientSecret]: CONFLUENCE_CLIENT_SECRET,
    [SecretNames.ConfluenceRefreshToken]: TEST_REFRESH_TOKEN,
  };
}

/** For a test file: `start(options)` gives the calling test a harness, closed after that test. */
export function harnessPerTest(): (options?: SyncHarnessOptions) => Promise<SyncHarness> {
  let current: SyncHarness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => (current = await startSyncHarness(options));
}

/** `count` items, ids 1…count: `Item n`, `Open`, amount n. */
export function sampleItems(count: number): HarnessItem[] {
  return Array.from({ length: count }, (_, i) => ({ id: String(i + 1), fields: { Title: `Item ${i + 1}`, Status: "Open", Amount: i + 1 } }));
}

/** The rows of `sampleItems(count)`, keyed, as a synced table shows them. */
export function sampleRows(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [String(i + 1), `Item ${i + 1}`, "Open", String(i + 1)]);
}

/** Runs the sync and checks it wrote nothing on either side (echo-free, quiet): the emulators' logs show no write. */
export async function expectQuietRun(h: SyncHarness): Promise<void> {
  h.clearCalls();
  const report = await h.sync();
  expect(h.writes()).toEqual({ graph: [], confluence: [] });
  expect(report.counts.sharepoint).toEqual({ created: 0, updated: 0, deleted: 0 });
  expect(report.counts.confluence).toEqual({ created: 0, updated: 0, deleted: 0 });
}

/** A page body with one table: a header row and data rows of plain text cells, between two paragraphs. */
export function tableBody(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[], tag: "th" | "td") => `<tr>${cells.map((cell) => `<${tag}>${escapeText(cell)}</${tag}>`).join("")}</tr>`;
  return `<p>Project list (kept in sync with SharePoint)</p><table><tbody>${row(headers, "th")}${rows.map((cells) => row(cells, "td")).join("")}</tbody></table><p>Notes stay as they are.</p>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The text of each data row's cells, in header order, as a person reads the table. */
export function tableRows(body: string): string[][] {
  const parsed = parseStorage(body);
  if (!parsed.ok) throw parsed.error;
  const table = findTables(parsed.document)[0];
  if (table === undefined) throw new Error("the page has no table");
  return table.bodyRows.map((row) => table.headers.map((_, column) => row.slots[column]?.content.text.trim() ?? ""));
}

export class SyncHarness {
  readonly graph: RunningGraphEmulator;
  readonly confluence: ConfluenceEmulator;
  readonly services: EngineServices;
  /** The engine's state stores, unwrapped. */
  readonly state: StateStores;
  readonly profile: Profile;
  readonly secrets: InMemorySecretsProvider;
  readonly logs: { readonly records: LogRecord[] };
  readonly headers: readonly string[];
  activities: SyncActivities;

  constructor(parts: {
    graph: RunningGraphEmulator;
    confluence: ConfluenceEmulator;
    services: EngineServices;
    state: StateStores;
    profile: Profile;
    secrets: InMemorySecretsProvider;
    logger: { records: LogRecord[] };
    headers: readonly string[];
  }) {
    this.graph = parts.graph;
    this.confluence = parts.confluence;
    this.services = parts.services;
    this.state = parts.state;
    this.profile = parts.profile;
    this.secrets = parts.secrets;
    this.logs = parts.logger;
    this.headers = parts.headers;
    this.activities = createSyncActivities(parts.services);
  }

  /** One run through the real orchestrator; its report. */
  async sync(options: HarnessSyncOptions = {}): Promise<RunReport> {
    const run = await this.run(options);
    if (run.status !== "Completed") throw new Error(`the orchestration failed: ${run.error ?? "?"}`);
    return run.output as RunReport;
  }

  /** One run, with the orchestration's history (retry delays shrunk so retries cost milliseconds). */
  run(options: HarnessSyncOptions = {}): Promise<LocalRunResult> {
    return runProfileSyncLocally(syncRegistry(this.activities), { profileKey: this.profile.key, dryRun: options.dryRun ?? false, trigger: "cli" }, { delayScale: 0.0001 });
  }

  /** Stores a changed profile (the next run uses it). */
  async updateProfile(overrides: Partial<ProfileInput>): Promise<void> {
    const next = profileSchema.parse({ ...this.profile, ...overrides });
    await this.services.config.profiles.save(next);
    (this as { profile: Profile }).profile = next;
  }

  // ------------------------------------------------------------------ SharePoint, as people see it

  /** Every item's fields (as the emulator holds them), by id. */
  async listItems(): Promise<Map<string, Record<string, unknown>>> {
    const state = (await this.#graphAdmin("GET", "state")) as { sites: Array<{ lists: Array<{ id: string; items: Array<{ id: string; fields: Record<string, unknown> }> }> }> };
    const list = state.sites[0]?.lists.find((candidate) => candidate.id === TEST_LIST_ID);
    return new Map((list?.items ?? []).map((item) => [item.id, item.fields]));
  }

  async editItem(id: string, fields: Record<string, unknown>): Promise<void> {
    await this.#graphAdmin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/${id}`, { fields });
  }

  async createItem(fields: Record<string, unknown>): Promise<string> {
    const created = (await this.#graphAdmin("POST", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items`, { fields })) as { id: string };
    return created.id;
  }

  async deleteItem(id: string): Promise<void> {
    await this.#graphAdmin("DELETE", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/${id}`);
  }

  // ------------------------------------------------------------------ Confluence, as people see it

  pageBody(): string {
    const page = this.confluence.content.findPage(HARNESS_PAGE_ID);
    if (!page.ok) throw new Error("the page is gone");
    return page.value.versions[page.value.versions.length - 1]!.body;
  }

  pageVersion(): number {
    const page = this.confluence.content.findPage(HARNESS_PAGE_ID);
    if (!page.ok) throw new Error("the page is gone");
    return page.value.versions[page.value.versions.length - 1]!.number;
  }

  /** The table's data rows as text, cells in header order. */
  pageRows(): string[][] {
    return tableRows(this.pageBody());
  }

  /** The data row whose key cell holds `id`. */
  rowOf(id: string): Record<string, string> | undefined {
    const cells = this.pageRows().find((row) => row[0] === id);
    return cells === undefined ? undefined : Object.fromEntries(this.headers.map((header, index) => [header, cells[index] ?? ""]));
  }

  /** A person saves the page with `rows` as the table's data rows (the rest of the page as generated). */
  async writeRows(rows: readonly (readonly string[])[]): Promise<void> {
    await this.savePage(tableBody(this.headers, rows));
  }

  /** A person edits the table: `change` gets the current rows and returns the new ones. */
  async editRows(change: (rows: string[][]) => string[][]): Promise<void> {
    await this.writeRows(change(this.pageRows()));
  }

  /** A person saves the page with this body (a new version). */
  async savePage(body: string): Promise<void> {
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/pages/${HARNESS_PAGE_ID}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body }),
    });
    if (!response.ok) throw new Error(`editing the page failed: ${response.status} ${await response.text()}`);
  }

  // ------------------------------------------------------------------ what the sync cost

  /** Calls the app made (admin calls excluded), per service, since the logs were last cleared. */
  calls(): { graph: RequestLogEntry[]; identity: RequestLogEntry[]; confluence: RequestLogEntry[] } {
    return {
      graph: this.graph.graph.requestLog.entries(),
      identity: this.graph.identity.requestLog.entries(),
      confluence: this.confluence.server.requestLog.entries(),
    };
  }

  /** `METHOD path status` of the app's Graph calls, `$batch` sub-requests included (indented). */
  graphCalls(): string[] {
    return this.graph.graph.requestLog.entries().map((entry) => `${entry.parentSeq === undefined ? "" : "  "}${entry.method} ${entry.path.replace(`/v1.0/sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`, "…")} ${entry.status}`);
  }

  /** `METHOD path status` of the app's Confluence calls. */
  confluenceCalls(): string[] {
    return this.confluence.server.requestLog.entries().map((entry) => `${entry.method} ${entry.path.replace(`/ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2`, "")} ${entry.status}`);
  }

  /** Writes the app made: non-GET Graph calls (`$batch` counted once) and Confluence PUT/POST/DELETE (token calls aside). */
  writes(): { graph: string[]; confluence: string[] } {
    return {
      graph: this.graphCalls().filter((call) => !call.startsWith("GET") && !call.startsWith("  ")),
      confluence: this.confluenceCalls().filter((call) => !call.startsWith("GET") && !call.includes("/oauth/token")),
    };
  }

  clearCalls(): void {
    this.graph.graph.requestLog.clear();
    this.graph.identity.requestLog.clear();
    this.confluence.server.requestLog.clear();
  }

  /** Injects a fault into the app's Graph calls (also matches `$batch` sub-requests by their path). */
  async graphFault(fault: Record<string, unknown>): Promise<void> {
    await this.#graphAdmin("POST", "faults", fault);
  }

  /** Injects a fault into the app's Confluence calls. */
  async confluenceFault(fault: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
    if (!response.ok) throw new Error(`adding the fault failed: ${response.status}`);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.graph.close(), this.confluence.close()]);
  }

  async #graphAdmin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.graph.urls.graphBaseUrl}/_admin/${path}`, {
      method,
      ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Graph admin ${method} ${path} failed: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
