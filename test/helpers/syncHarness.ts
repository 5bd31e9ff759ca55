import { randomBytes, randomUUID } from "node:crypto";
import type { RequestLogEntry } from "../../dev/emulators/common/requestLog";
import {
  type EmulatorCertificate,
  generateEmulatorCertificate,
  trustCertificateInProcess,
} from "../../dev/emulators/common/tls";
import { type ConfluenceEmulator, startConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { type RunningGraphEmulator, startGraphEmulator } from "../../dev/emulators/graph/graphEmulator";
import type { LocalRunResult } from "../../dev/localHost/localDurableHost";
import { runProfileSyncLocally, syncRegistry } from "../../dev/localHost/localEngine";
import {
  type Profile,
  type ProfileInput,
  ProfileValidator,
  profileSchema,
  TableProfileStore,
} from "../../shared/config";
import { createSyncActivities, type SyncActivities } from "../../shared/engine/activities";
import { createEngineServices, type EngineOptions, type EngineServices } from "../../shared/engine/engineServices";
import type { RunReport } from "../../shared/engine/run/runReport";
import { type ColumnDefinition, findTables, parseStorage } from "../../shared/mapping";
import { createMemoryLogger, type LogRecord } from "../../shared/runtime";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { SecretNames } from "../../shared/secrets/secretsProvider";
import { openStateStores, type StateStores } from "../../shared/state/stateStores";
import type { TableStorageLocation } from "../../shared/state/tableClientFactory";
import {
  TEST_CLIENT_ID as CONFLUENCE_CLIENT_ID,
  TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  TEST_SITE_URL,
} from "./confluenceSiteValues";
import {
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_LIST_ID,
  TEST_SITE_ID,
  TEST_TENANT_ID,
  testPeople,
} from "./graphSeed";

/**
 * A whole sync set-up in one process, for scenario tests, the model-based test and the demo: the Graph + identity
 * and Confluence emulators (one certificate, trusted in-process), state tables in the shared Azurite under a fresh
 * prefix, a stored profile with its secrets, the real engine and the real `syncProfile` orchestrator through the local
 * Durable host. People act on both sides through the emulators' admin surfaces; what the sync cost is read from
 * their request logs.
 */

export const HARNESS_PROFILE = "projects";
/** The real retry policy with delays of milliseconds, so retried calls do not slow the tests. */
export const HARNESS_RETRY = { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };
export const HARNESS_PAGE_ID = "98306";
const SPACE_ID = "65538";

/** The list's columns: a few of each kind the scenarios need. */
export const harnessColumns: ColumnDefinition[] = [
  { name: "Title", displayName: "Title", required: true, text: { allowMultipleLines: false, maxLength: 255 } },
  {
    name: "Status",
    displayName: "Status",
    choice: { allowTextEntry: false, choices: ["Open", "Doing", "Done"], displayAs: "dropDownMenu" },
  },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
  {
    name: "Owner",
    displayName: "Owner",
    personOrGroup: { allowMultipleSelection: false, chooseFromType: "peopleOnly", displayAs: "nameWithPresence" },
  },
  { name: "Due", displayName: "Due", dateTime: { displayAs: "default", format: "dateOnly" } },
];

/** The page's table headers in the default set-up: the key column and one per mapped field. */
export const HARNESS_HEADERS = ["ID", "Title", "Status", "Amount"];

export interface HarnessItem {
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** With content approval: 0 approved (default), 2 pending, … */
  readonly moderationStatus?: number;
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
  /** More lists on the site (e.g. the one a lookup column points at), in the seed's list shape. */
  extraLists?: readonly { id: string; displayName: string; columns: ColumnDefinition[]; items: HarnessItem[] }[];
  graphSettings?: Record<string, unknown>;
  /** The site's time zone in the Graph emulator; by default the profile's `sharePoint.timeZone` (else UTC). */
  siteTimeZone?: string;
  /** The list has content approval (items pending approval are hidden from apps that may not approve). */
  contentApproval?: boolean;
  /** The app's application permissions (default `Sites.ReadWrite.All`), and its grants for `Sites.Selected`. */
  graphRoles?: readonly string[];
  sitePermissions?: readonly { appId: string; roles: readonly string[] }[];
  /** Confluence seed options beyond the site and the page (e.g. `storageNormalization: "confluence"`). */
  confluenceSeed?: Record<string, unknown>;
  /** Settings of the Confluence seed's `oauth` section beyond the client and its refresh token (e.g. `callbackUrls`). */
  confluenceOAuth?: Record<string, unknown>;
  engine?: EngineOptions;
  /** Where the state tables go (under a fresh prefix); the test run's shared Azurite by default. */
  tableStorage?: TableStorageLocation;
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
      clients: [
        {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          displayName: "ConfluenceSync tests",
          ...(options.graphRoles ? { roles: [...options.graphRoles] } : {}),
        },
      ],
      people: testPeople,
      sites: [
        {
          id: TEST_SITE_ID,
          displayName: "Contoso Projects",
          timeZone: options.siteTimeZone ?? options.profile?.sharePoint?.timeZone ?? "UTC",
          ...(options.sitePermissions ? { permissions: options.sitePermissions } : {}),
          lists: [
            {
              id: TEST_LIST_ID,
              displayName: "Projects",
              ...(options.contentApproval ? { contentApproval: true } : {}),
              columns: [...(options.columns ?? harnessColumns)],
              items: [...(options.items ?? [])],
            },
            ...(options.extraLists ?? []),
          ],
        },
      ],
      settings: { shuffleBatchResponses: true, ...options.graphSettings },
    },
    { certificate: cert },
  );
  const headers = options.headers ?? HARNESS_HEADERS;
  const confluence = await startConfluenceEmulator(
    {
      cloudId: TEST_CLOUD_ID,
      siteUrl: TEST_SITE_URL,
      oauth: {
        clientId: CONFLUENCE_CLIENT_ID,
        clientSecret: CONFLUENCE_CLIENT_SECRET,
        refreshTokens: [TEST_REFRESH_TOKEN],
        ...options.confluenceOAuth,
      },
      spaces: [{ id: SPACE_ID, key: "TEAM", name: "Team space", homepageId: "98305" }],
      pages: [
        { id: "98305", spaceId: SPACE_ID, title: "Team home", body: "<p>Welcome</p>" },
        {
          id: HARNESS_PAGE_ID,
          spaceId: SPACE_ID,
          parentId: "98305",
          title: "Projects",
          body: tableBody(headers, options.rows ?? []),
        },
      ],
      ...options.confluenceSeed,
    },
    { certificate: cert },
  );

  // Loaded only here: the tables helper reads the test runner's context, which a demo outside vitest does not have.
  const location = options.tableStorage ?? (await import("./tables.js")).azuriteLocation();
  const tablePrefix = `sync${randomBytes(5).toString("hex")}`;
  const secrets = new InMemorySecretsProvider({ [HARNESS_PROFILE]: harnessSecretValues() });
  const profiles = await TableProfileStore.open(location, { tableName: `${tablePrefix}Profiles` });
  const profile = harnessProfile(
    { graph, confluence },
    { key: HARNESS_PROFILE, listId: TEST_LIST_ID, pageId: HARNESS_PAGE_ID },
    options.profile,
  );
  await profiles.save(profile);
  const opened = await openStateStores(location, { tablePrefix });
  const state = options.wrapState ? options.wrapState(opened) : opened;
  const logger = createMemoryLogger();
  const services = createEngineServices(
    { config: { secrets, profiles, validator: new ProfileValidator(secrets, profiles, EMULATOR_ENDPOINTS) }, state },
    { graphRetry: HARNESS_RETRY, confluenceRetry: HARNESS_RETRY, logger, ...options.engine },
  );
  const tables = { location, prefix: tablePrefix };
  return new SyncHarness({
    graph,
    confluence,
    services,
    state: opened,
    profile,
    secrets,
    logger,
    headers,
    tables,
    listId: TEST_LIST_ID,
    pageId: HARNESS_PAGE_ID,
  });
}

/** The harness profile over the emulators, for a list and a page, with the caller's overrides. */
function harnessProfile(
  emulators: { graph: RunningGraphEmulator; confluence: ConfluenceEmulator },
  target: { key: string; listId: string; pageId: string },
  overrides: Partial<ProfileInput> = {},
): Profile {
  return profileSchema.parse({
    key: target.key,
    sharePoint: { siteId: TEST_SITE_ID, listId: target.listId },
    confluence: { cloudId: TEST_CLOUD_ID, target: { mode: "table", pageId: target.pageId } },
    fields: [
      { sharePoint: "Title", confluence: "Title" },
      { sharePoint: "Status", confluence: "Status" },
      { sharePoint: "Amount", confluence: "Amount" },
    ],
    endpoints: {
      graphBaseUrl: emulators.graph.urls.graphBaseUrl,
      authorityHost: emulators.graph.urls.authorityHost,
      confluenceAuthBaseUrl: emulators.confluence.urls.authBaseUrl,
      confluenceApiBaseUrl: emulators.confluence.urls.apiBaseUrl,
    },
    ...overrides,
  } satisfies ProfileInput);
}

export interface HarnessProfileOptions {
  /** The profile's key: its state partition in the shared tables (letters, digits, `-`). */
  key: string;
  columns: readonly ColumnDefinition[];
  headers: readonly string[];
  /** The table's data rows, cells in `headers` order (text). */
  rows?: readonly (readonly string[])[];
  profile?: Partial<ProfileInput>;
}

/**
 * Another profile on a running harness: a new empty list (`columns`) in the Graph emulator, a new page with the table
 * (`headers`, `rows`) in the Confluence emulator, a new Confluence consent (its own refresh token) and the profile
 * stored under `key`. It shares the emulators, the engine services and the state tables with `host` (the state is
 * partitioned by profile key), so opening one costs a few in-process calls: how a test runs many isolated syncs
 * quickly. Close it with `closeProfile()`, which removes its list; the emulators stay up.
 */
export async function openHarnessProfile(host: SyncHarness, options: HarnessProfileOptions): Promise<SyncHarness> {
  const { graph, confluence } = host;
  const listId = randomUUID();
  graph.service.addList(TEST_SITE_ID, {
    id: listId,
    displayName: `List ${options.key}`,
    columns: [...options.columns],
  });
  const page = await adminJson<{ id: string }>(`${confluence.urls.baseUrl}/_admin/pages`, "POST", {
    spaceId: SPACE_ID,
    parentId: "98305",
    title: `Projects ${options.key}`,
    body: tableBody(options.headers, options.rows ?? []),
  });
  const consent = await adminJson<{ refresh_token: string }>(`${confluence.urls.baseUrl}/_admin/oauth/consent`, "POST");
  for (const [name, value] of Object.entries({
    ...harnessSecretValues(),
    [SecretNames.ConfluenceRefreshToken]: consent.refresh_token,
  })) {
    await host.secrets.set(options.key, name, value);
  }
  const profile = harnessProfile({ graph, confluence }, { key: options.key, listId, pageId: page.id }, options.profile);
  await host.services.config.profiles.save(profile);
  return new SyncHarness({ ...host.parts, profile, headers: options.headers, listId, pageId: page.id });
}

async function adminJson<T>(url: string, method: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${url} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
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

/** `count` items, ids 1…count: `Item n`, `Open`, amount n. */
export function sampleItems(count: number): HarnessItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    fields: { Title: `Item ${i + 1}`, Status: "Open", Amount: i + 1 },
  }));
}

/** The rows of `sampleItems(count)`, keyed, as a synced table shows them. */
export function sampleRows(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [String(i + 1), `Item ${i + 1}`, "Open", String(i + 1)]);
}

/** A page body with one table: a header row and data rows of plain text cells, between two paragraphs. */
export function tableBody(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[], tag: "th" | "td") =>
    `<tr>${cells.map((cell) => `<${tag}>${escapeText(cell)}</${tag}>`).join("")}</tr>`;
  return `<p>Project list (kept in sync with SharePoint)</p><table><tbody>${row(headers, "th")}${rows.map((cells) => row(cells, "td")).join("")}</tbody></table><p>Notes stay as they are.</p>`;
}

/** Text as it goes into storage XHTML between tags. */
export function escapeText(text: string): string {
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

/** Positions in the Graph and Confluence request logs (see `SyncHarness.callMark`). */
export interface CallMark {
  readonly graph: number;
  readonly confluence: number;
}

/** What a harness is made of; profiles opened on one harness share all but the profile, list, page and headers. */
export interface SyncHarnessParts {
  graph: RunningGraphEmulator;
  confluence: ConfluenceEmulator;
  services: EngineServices;
  state: StateStores;
  profile: Profile;
  secrets: InMemorySecretsProvider;
  logger: { records: LogRecord[] };
  headers: readonly string[];
  /** Where the state tables are, and the prefix of their names. */
  tables: { location: TableStorageLocation; prefix: string };
  listId: string;
  pageId: string;
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
  readonly tables: { readonly location: TableStorageLocation; readonly prefix: string };
  /** The profile's list in the Graph emulator and page in the Confluence emulator. */
  readonly listId: string;
  readonly pageId: string;
  readonly parts: SyncHarnessParts;
  activities: SyncActivities;

  constructor(parts: SyncHarnessParts) {
    this.parts = parts;
    this.graph = parts.graph;
    this.confluence = parts.confluence;
    this.services = parts.services;
    this.state = parts.state;
    this.profile = parts.profile;
    this.secrets = parts.secrets;
    this.logs = parts.logger;
    this.headers = parts.headers;
    this.tables = parts.tables;
    this.listId = parts.listId;
    this.pageId = parts.pageId;
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
    return runProfileSyncLocally(
      syncRegistry(this.activities),
      { profileKey: this.profile.key, dryRun: options.dryRun ?? false, trigger: "cli" },
      { delayScale: 0.0001 },
    );
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
    const state = (await this.#graphAdmin("GET", "state")) as {
      sites: Array<{ lists: Array<{ id: string; items: Array<{ id: string; fields: Record<string, unknown> }> }> }>;
    };
    const list = state.sites[0]?.lists.find((candidate) => candidate.id === this.listId);
    return new Map((list?.items ?? []).map((item) => [item.id, item.fields]));
  }

  async editItem(
    id: string,
    fields: Record<string, unknown>,
    options: { moderationStatus?: number } = {},
  ): Promise<void> {
    await this.#graphAdmin("PATCH", `sites/${TEST_SITE_ID}/lists/${this.listId}/items/${id}`, { fields, ...options });
  }

  async createItem(fields: Record<string, unknown>): Promise<string> {
    const created = (await this.#graphAdmin("POST", `sites/${TEST_SITE_ID}/lists/${this.listId}/items`, {
      fields,
    })) as { id: string };
    return created.id;
  }

  async deleteItem(id: string): Promise<void> {
    await this.#graphAdmin("DELETE", `sites/${TEST_SITE_ID}/lists/${this.listId}/items/${id}`);
  }

  // ------------------------------------------------------------------ Confluence, as people see it

  pageBody(): string {
    const page = this.confluence.content.findPage(this.pageId);
    if (!page.ok) throw new Error("the page is gone");
    return page.value.versions[page.value.versions.length - 1]!.body;
  }

  pageVersion(): number {
    const page = this.confluence.content.findPage(this.pageId);
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
    return cells === undefined
      ? undefined
      : Object.fromEntries(this.headers.map((header, index) => [header, cells[index] ?? ""]));
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
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/pages/${this.pageId}`, {
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
    return this.graph.graph.requestLog
      .entries()
      .map(
        (entry) =>
          `${entry.parentSeq === undefined ? "" : "  "}${entry.method} ${entry.path.replace(`/v1.0/sites/${TEST_SITE_ID}/lists/${this.listId}`, "…")} ${entry.status}`,
      );
  }

  /** `METHOD path status` of the app's Confluence calls. */
  confluenceCalls(): string[] {
    return this.confluence.server.requestLog
      .entries()
      .map(
        (entry) =>
          `${entry.method} ${entry.path.replace(`/ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2`, "")} ${entry.status}`,
      );
  }

  /**
   * Writes the app made: non-GET Graph calls (`$batch` counted once) and Confluence PUT/POST/DELETE (token calls
   * aside); with `since` (a `callMark()`), only those made after it.
   */
  writes(since: CallMark = { graph: 0, confluence: 0 }): { graph: string[]; confluence: string[] } {
    return {
      graph: this.graphCalls()
        .slice(since.graph)
        .filter((call) => !call.startsWith("GET") && !call.startsWith("  ")),
      confluence: this.confluenceCalls()
        .slice(since.confluence)
        .filter((call) => !call.startsWith("GET") && !call.includes("/oauth/token")),
    };
  }

  /** Where the request logs are now, for `writes(since)`. */
  callMark(): CallMark {
    return {
      graph: this.graph.graph.requestLog.entries().length,
      confluence: this.confluence.server.requestLog.entries().length,
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
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fault),
    });
    if (!response.ok) throw new Error(`adding the fault failed: ${response.status}`);
  }

  /** Removes every fault still waiting on either emulator. */
  async clearFaults(): Promise<void> {
    await this.#graphAdmin("DELETE", "faults");
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/faults`, { method: "DELETE" });
    if (!response.ok) throw new Error(`clearing the faults failed: ${response.status}`);
  }

  /** Every delta token issued so far answers 410 Gone from now on (the next run reads the whole list). */
  async expireDeltaTokens(): Promise<void> {
    await this.#graphAdmin("POST", "delta/expire");
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.graph.close(), this.confluence.close()]);
  }

  /** Ends a profile opened by `openHarnessProfile`: its list and its page leave the emulators (its state rows stay). */
  async closeProfile(): Promise<void> {
    this.graph.service.removeList(TEST_SITE_ID, this.listId);
    const response = await fetch(`${this.confluence.urls.baseUrl}/_admin/pages/${this.pageId}`, { method: "DELETE" });
    if (!response.ok) throw new Error(`removing page ${this.pageId} failed: ${response.status}`);
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
