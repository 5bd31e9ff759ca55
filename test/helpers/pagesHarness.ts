import { randomBytes, randomUUID } from "node:crypto";
import type { RequestLogEntry } from "../../dev/emulators/common/requestLog";
import { generateEmulatorCertificate, trustCertificateInProcess } from "../../dev/emulators/common/tls";
import { type ConfluenceEmulator, startConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import { currentVersion, type StoredPage } from "../../dev/emulators/confluence/siteContent";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { type RunningGraphEmulator, startGraphEmulator } from "../../dev/emulators/graph/graphEmulator";
import type { LocalRunOptions, LocalRunResult } from "../../dev/localHost/localDurableHost";
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
import { type ColumnDefinition, normaliseText, parseStorage, readNodeContent } from "../../shared/mapping";
import { blockEntries, findBlockTable } from "../../shared/mapping/keyValueBlock";
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
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_SITE_ID, TEST_TENANT_ID, testPeople } from "./graphSeed";
import { hourAlignedClock } from "./hourAlignedClock";
import { escapeText, HARNESS_RETRY, type HarnessItem, harnessSecretValues } from "./syncHarness";

/**
 * Pages mode on the emulators (docs/pages-mode.md): a list with the link and gate columns, a space whose ids are
 * above 2^31, a parent page and a template page with a `details` block, the profile, and the real engine through the
 * local Durable host. People act on both sides through the emulators' admin surfaces.
 */

export const PAGES_PROFILE = "customers";
export const SPACE_ID = "3777855545";
export const HOME_ID = "4231790660";
export const PARENT_ID = "4231790669";
export const TEMPLATE_ID = "4231790670";
export const LIST_ID = "5c0d3a7e-2b1f-4e8a-9c6d-7f8e9a0b1c2d";

export const pagesColumns: ColumnDefinition[] = [
  { name: "Title", displayName: "Customer", required: true, text: { allowMultipleLines: false, maxLength: 255 } },
  {
    name: "Status",
    displayName: "Status",
    choice: { allowTextEntry: false, choices: ["On track", "At risk", "Blocked"], displayAs: "dropDownMenu" },
  },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
  { name: "GoLive", displayName: "Go-live", dateTime: { displayAs: "default", format: "dateOnly" } },
  { name: "ConfluencePageId", displayName: "Confluence page id", text: { allowMultipleLines: false, maxLength: 255 } },
  { name: "CustomerWiki", displayName: "Customer wiki", hyperlinkOrPicture: { isPicture: false } },
  { name: "SyncTracker", displayName: "Sync tracker", boolean: {} },
];

/** The block's keys, in the order the template shows them. */
export const BLOCK_KEYS = ["Customer", "Status", "Amount", "Go-live"] as const;
export const GATE_KEY = "Sync to SharePoint";

const STATUS_COLOURS = { "On track": "Green", "At risk": "Yellow", Blocked: "Red" } as const;

/** Where one profile's list and pages are. */
export interface PagesPlace {
  readonly key: string;
  readonly listId: string;
  readonly parentId: string;
  readonly templateId: string;
}

const FIRST_PLACE: PagesPlace = { key: PAGES_PROFILE, listId: LIST_ID, parentId: PARENT_ID, templateId: TEMPLATE_ID };

export function pagesProfileInput(
  emulators: { graph: RunningGraphEmulator; confluence: ConfluenceEmulator },
  overrides: Partial<ProfileInput> = {},
  target: Record<string, unknown> = {},
  place: PagesPlace = FIRST_PLACE,
): ProfileInput {
  return {
    key: place.key,
    sharePoint: { siteId: TEST_SITE_ID, listId: place.listId },
    confluence: {
      cloudId: TEST_CLOUD_ID,
      siteUrl: TEST_SITE_URL,
      target: {
        mode: "pages",
        parentPageId: place.parentId,
        templatePageId: place.templateId,
        block: { detailsId: "confluencesync" },
        pageUrlColumn: "CustomerWiki",
        ...target,
      },
    },
    fields: [
      { sharePoint: "Title", confluence: "Customer" },
      { sharePoint: "Status", confluence: "Status", format: { kind: "status", colours: STATUS_COLOURS } },
      { sharePoint: "Amount", confluence: "Amount" },
      { sharePoint: "GoLive", confluence: "Go-live", format: { kind: "date" } },
    ],
    gates: { sharePoint: "SyncTracker", confluence: GATE_KEY },
    endpoints: {
      graphBaseUrl: emulators.graph.urls.graphBaseUrl,
      authorityHost: emulators.graph.urls.authorityHost,
      confluenceAuthBaseUrl: emulators.confluence.urls.authBaseUrl,
      confluenceApiBaseUrl: emulators.confluence.urls.apiBaseUrl,
    },
    ...overrides,
  } as ProfileInput;
}

/** The template's block: a placeholder in each value cell, a grey "SELECT" lozenge for Status, the gate at Yes. */
export function templateBody(): string {
  const row = (key: string, value: string) =>
    `<tr><th><p><strong>${escapeText(key)}</strong></p></th><td>${value}</td></tr>`;
  return (
    `<p>About this customer. The table is kept in sync with the SharePoint list.</p>` +
    `<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:parameter ac:name="id">confluencesync</ac:parameter><ac:rich-text-body>` +
    `<table><tbody>` +
    row("Customer", "<p><ac:placeholder>The customer's name</ac:placeholder></p>") +
    row("Status", `<p>${statusMacro("SELECT", "Grey")}</p>`) +
    row("Amount", "<p><ac:placeholder>Contract value</ac:placeholder></p>") +
    row("Go-live", "<p><ac:placeholder>Pick a date</ac:placeholder></p>") +
    row(GATE_KEY, "<p>Yes</p>") +
    `</tbody></table></ac:rich-text-body></ac:structured-macro><p>Notes, meeting minutes, anything: the sync never touches them.</p>`
  );
}

export function statusMacro(title: string, colour: string): string {
  return `<ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="colour">${colour}</ac:parameter><ac:parameter ac:name="title">${escapeText(title)}</ac:parameter></ac:structured-macro>`;
}

export interface PagesHarnessOptions {
  items?: readonly HarnessItem[];
  /** Extra pages under the parent (seed shapes). */
  pages?: readonly Record<string, unknown>[];
  profile?: Partial<ProfileInput>;
  target?: Record<string, unknown>;
  confluenceSeed?: Record<string, unknown>;
  graphSettings?: Record<string, unknown>;
  /** The list has content approval: items pending approval are hidden from the app. */
  contentApproval?: boolean;
  engine?: EngineOptions;
  tableStorage?: TableStorageLocation;
  /** Wraps the state stores the engine uses (to make a store fail at a chosen point). */
  wrapState?: (state: StateStores) => StateStores;
}

let certificate: ReturnType<typeof generateEmulatorCertificate> | undefined;

export async function startPagesHarness(options: PagesHarnessOptions = {}): Promise<PagesHarness> {
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
      sites: [
        {
          id: TEST_SITE_ID,
          displayName: "Contoso Customers",
          lists: [
            {
              id: LIST_ID,
              displayName: "Customers",
              columns: pagesColumns,
              items: [...(options.items ?? [])],
              ...(options.contentApproval ? { contentApproval: true } : {}),
            },
          ],
        },
      ],
      settings: { shuffleBatchResponses: true, ...options.graphSettings },
    },
    { certificate: cert },
  );
  const confluence = await startConfluenceEmulator(
    {
      cloudId: TEST_CLOUD_ID,
      siteUrl: TEST_SITE_URL,
      oauth: {
        clientId: CONFLUENCE_CLIENT_ID,
        clientSecret: CONFLUENCE_CLIENT_SECRET,
        refreshTokens: [TEST_REFRESH_TOKEN],
      },
      spaces: [{ id: SPACE_ID, key: "CUST", name: "Customers", homepageId: HOME_ID }],
      pages: [
        { id: HOME_ID, spaceId: SPACE_ID, title: "Customers home", body: "<p>Welcome</p>" },
        {
          id: PARENT_ID,
          spaceId: SPACE_ID,
          parentId: HOME_ID,
          title: "Customer pages",
          body: "<p>One page per customer.</p>",
        },
        { id: TEMPLATE_ID, spaceId: SPACE_ID, parentId: HOME_ID, title: "Customer template", body: templateBody() },
        ...(options.pages ?? []),
      ],
      storageNormalization: "confluence",
      ...options.confluenceSeed,
    },
    // The hourly points quota must not reset under a test by the wall clock crossing an hour.
    { certificate: cert, clock: hourAlignedClock() },
  );
  const location = options.tableStorage ?? (await import("./tables.js")).azuriteLocation();
  const tablePrefix = `pages${randomBytes(5).toString("hex")}`;
  const secrets = new InMemorySecretsProvider({ [PAGES_PROFILE]: harnessSecretValues() });
  const profiles = await TableProfileStore.open(location, { tableName: `${tablePrefix}Profiles` });
  const profile = profileSchema.parse(pagesProfileInput({ graph, confluence }, options.profile, options.target));
  await profiles.save(profile);
  const state = await openStateStores(location, { tablePrefix });
  const logger = createMemoryLogger();
  const services = createEngineServices(
    {
      config: { secrets, profiles, validator: new ProfileValidator(secrets, profiles, EMULATOR_ENDPOINTS) },
      state: options.wrapState ? options.wrapState(state) : state,
    },
    // The engine keeps Confluence's time: tests move the emulator's clock (index lag, the hourly quota, sweeps).
    { graphRetry: HARNESS_RETRY, confluenceRetry: HARNESS_RETRY, logger, clock: confluence.clock, ...options.engine },
  );
  return new PagesHarness({ graph, confluence, services, state, profile, logger, place: FIRST_PLACE, secrets });
}

/**
 * Another pages-mode profile on a running harness: its own list, parent page, template, consent and key (so its own
 * state partition), sharing the emulators and the engine. A few in-process calls: how the model test runs many
 * isolated syncs quickly.
 */
export async function openPagesProfile(
  host: PagesHarness,
  key: string,
  options: { items?: readonly HarnessItem[]; profile?: Partial<ProfileInput>; target?: Record<string, unknown> } = {},
): Promise<PagesHarness> {
  const listId = randomUUID();
  host.graph.service.addList(TEST_SITE_ID, { id: listId, displayName: `Customers ${key}`, columns: [...pagesColumns] });
  for (const item of options.items ?? [])
    await admin(`${host.graph.urls.graphBaseUrl}/_admin/sites/${TEST_SITE_ID}/lists/${listId}/items`, "POST", {
      fields: item.fields,
    });
  const create = async (title: string, body: string) =>
    (
      (await admin(`${host.confluence.urls.baseUrl}/_admin/pages`, "POST", {
        spaceId: SPACE_ID,
        parentId: HOME_ID,
        title,
        body,
      })) as { id: string }
    ).id;
  const parentId = await create(`Customers ${key}`, "<p>One page per customer.</p>");
  const templateId = await create(`Template ${key}`, templateBody());
  const place: PagesPlace = { key, listId, parentId, templateId };
  await host.secrets.set(key, SecretNames.ConfluenceRefreshToken, host.confluence.tokens.consent());
  for (const [name, value] of Object.entries(harnessSecretValues()))
    if (name !== SecretNames.ConfluenceRefreshToken) await host.secrets.set(key, name as never, value);
  const profile = profileSchema.parse(
    pagesProfileInput({ graph: host.graph, confluence: host.confluence }, options.profile, options.target, place),
  );
  await host.services.config.profiles.save(profile);
  return host.withProfile(profile, place);
}

export class PagesHarness {
  readonly graph: RunningGraphEmulator;
  readonly confluence: ConfluenceEmulator;
  readonly services: EngineServices;
  readonly state: StateStores;
  profile: Profile;
  readonly logs: { readonly records: LogRecord[] };
  activities: SyncActivities;

  readonly place: PagesPlace;
  readonly secrets: InMemorySecretsProvider;
  readonly #parts: {
    graph: RunningGraphEmulator;
    confluence: ConfluenceEmulator;
    services: EngineServices;
    state: StateStores;
    profile: Profile;
    logger: { records: LogRecord[] };
    place: PagesPlace;
    secrets: InMemorySecretsProvider;
  };

  constructor(parts: {
    graph: RunningGraphEmulator;
    confluence: ConfluenceEmulator;
    services: EngineServices;
    state: StateStores;
    profile: Profile;
    logger: { records: LogRecord[] };
    place: PagesPlace;
    secrets: InMemorySecretsProvider;
  }) {
    this.#parts = parts;
    this.graph = parts.graph;
    this.confluence = parts.confluence;
    this.services = parts.services;
    this.state = parts.state;
    this.profile = parts.profile;
    this.logs = parts.logger;
    this.place = parts.place;
    this.secrets = parts.secrets;
    this.activities = createSyncActivities(parts.services);
  }

  /** The same emulators and engine, another profile. */
  withProfile(profile: Profile, place: PagesPlace): PagesHarness {
    return new PagesHarness({ ...this.#parts, profile, place });
  }

  async sync(options: { dryRun?: boolean } = {}): Promise<RunReport> {
    const run = await this.run(options);
    if (run.status !== "Completed") throw new Error(`the orchestration failed: ${run.error ?? "?"}`);
    return run.output as RunReport;
  }

  run(options: { dryRun?: boolean; onCustomStatus?: LocalRunOptions["onCustomStatus"] } = {}): Promise<LocalRunResult> {
    return runProfileSyncLocally(
      syncRegistry(this.activities),
      { profileKey: this.profile.key, dryRun: options.dryRun ?? false, trigger: "cli" },
      { delayScale: 0.0001, ...(options.onCustomStatus ? { onCustomStatus: options.onCustomStatus } : {}) },
    );
  }

  async updateProfile(overrides: Partial<ProfileInput>): Promise<void> {
    const next = profileSchema.parse({ ...this.profile, ...overrides });
    await this.services.config.profiles.save(next);
    this.profile = next;
  }

  // ------------------------------------------------------------------ SharePoint

  async items(): Promise<Map<string, Record<string, unknown>>> {
    const state = (await this.#graphAdmin("GET", "state")) as {
      sites: Array<{ lists: Array<{ id: string; items: Array<{ id: string; fields: Record<string, unknown> }> }> }>;
    };
    const list = state.sites[0]?.lists.find((candidate) => candidate.id === this.place.listId);
    return new Map((list?.items ?? []).map((item) => [item.id, item.fields]));
  }

  async item(id: string): Promise<Record<string, unknown> | undefined> {
    return (await this.items()).get(id);
  }

  async editItem(id: string, fields: Record<string, unknown>): Promise<void> {
    await this.#graphAdmin("PATCH", `sites/${TEST_SITE_ID}/lists/${this.place.listId}/items/${id}`, { fields });
  }

  async createItem(fields: Record<string, unknown>): Promise<string> {
    const created = (await this.#graphAdmin("POST", `sites/${TEST_SITE_ID}/lists/${this.place.listId}/items`, {
      fields,
    })) as {
      id: string;
    };
    return created.id;
  }

  async deleteItem(id: string): Promise<void> {
    await this.#graphAdmin("DELETE", `sites/${TEST_SITE_ID}/lists/${this.place.listId}/items/${id}`);
  }

  // ------------------------------------------------------------------ Confluence

  /** The pages under the parent the app's user can see, current or archived. */
  childPages(): StoredPage[] {
    return this.confluence.content
      .visiblePages()
      .filter(
        (page) => page.parentId === this.place.parentId && (page.status === "current" || page.status === "archived"),
      );
  }

  page(pageId: string): StoredPage {
    const page = this.confluence.content.page(pageId);
    if (page === undefined) throw new Error(`no page ${pageId}`);
    return page;
  }

  pageBody(pageId: string): string {
    return currentVersion(this.page(pageId)).body;
  }

  pageVersion(pageId: string): number {
    return currentVersion(this.page(pageId)).number;
  }

  /** The block of a page as a person reads it: key → the value cell's text (lozenges by title). */
  blockValues(pageId: string): Record<string, string> {
    const parsed = parseStorage(this.pageBody(pageId), { pageId });
    if (!parsed.ok) throw parsed.error;
    const table = findBlockTable(parsed.document, { detailsId: "confluencesync" });
    if (table === undefined) throw new Error(`page ${pageId} has no block`);
    return Object.fromEntries(
      blockEntries(table).map((entry) => {
        const content =
          entry.valueCell === undefined
            ? { text: "", readings: [] }
            : readNodeContent(parsed.document, entry.valueCell.node);
        const status = content.readings.find((reading) => reading.kind === "status");
        const date = content.readings.find((reading) => reading.kind === "date");
        const text =
          status?.kind === "status"
            ? status.title
            : date?.kind === "date"
              ? date.datetime
              : normaliseText(content.text);
        return [entry.key, text];
      }),
    );
  }

  /** The page of an item, by its link property. */
  pageOfItem(itemId: string): StoredPage | undefined {
    return this.childPages().find((page) =>
      page.properties.some((property) => (property.value as { itemId?: string } | null)?.itemId === itemId),
    );
  }

  /** A person edits cells of the block: `values` maps a key to the value cell's new inner XHTML. */
  async editBlock(pageId: string, values: Record<string, string>): Promise<void> {
    let body = this.pageBody(pageId);
    for (const [key, inner] of Object.entries(values)) {
      const pattern = new RegExp(
        `(<tr[^>]*>\\s*<th[^>]*>(?:(?!</th>).)*?${escapeRegExp(escapeText(key))}(?:(?!</th>).)*</th>\\s*<td[^>]*>)(.*?)(</td>)`,
        "s",
      );
      if (!pattern.test(body)) throw new Error(`page ${pageId} has no row "${key}"`);
      body = body.replace(pattern, (_m, open: string, _old: string, close: string) => `${open}${inner}${close}`);
    }
    await this.savePage(pageId, body);
  }

  async savePage(pageId: string, body: string, title?: string): Promise<void> {
    await this.#confluenceAdmin("PUT", `pages/${pageId}`, { body, ...(title === undefined ? {} : { title }) });
  }

  async trashPage(pageId: string): Promise<void> {
    await this.#confluenceAdmin("DELETE", `pages/${pageId}`);
  }

  async restorePage(pageId: string): Promise<void> {
    await this.#confluenceAdmin("POST", `pages/${pageId}/status`, { status: "current" });
  }

  async copyPage(pageId: string, title: string): Promise<string> {
    return ((await this.#confluenceAdmin("POST", `pages/${pageId}/copy`, { title })) as { id: string }).id;
  }

  async createPage(title: string, body: string): Promise<string> {
    return (
      (await this.#confluenceAdmin("POST", "pages", {
        spaceId: SPACE_ID,
        parentId: this.place.parentId,
        title,
        body,
      })) as {
        id: string;
      }
    ).id;
  }

  // ------------------------------------------------------------------ calls

  confluenceLog(): RequestLogEntry[] {
    return this.confluence.server.requestLog.entries();
  }

  graphLog(): RequestLogEntry[] {
    return this.graph.graph.requestLog.entries();
  }

  /** `METHOD path status` of the app's Confluence calls (token calls aside). */
  confluenceCalls(): string[] {
    return this.confluenceLog()
      .filter((entry) => !entry.path.startsWith("/oauth"))
      .map(
        (entry) => `${entry.method} ${entry.path.replace(`/ex/confluence/${TEST_CLOUD_ID}/wiki`, "")} ${entry.status}`,
      );
  }

  /** `METHOD path status` of the app's Graph calls (`$batch` sub-requests left out). */
  graphCalls(): string[] {
    return this.graphLog()
      .filter((entry) => entry.parentSeq === undefined)
      .map(
        (entry) =>
          `${entry.method} ${entry.path.replace(`/v1.0/sites/${TEST_SITE_ID}/lists/${this.place.listId}`, "…")} ${entry.status}`,
      );
  }

  clearCalls(): void {
    this.graph.graph.requestLog.clear();
    this.graph.identity.requestLog.clear();
    this.confluence.server.requestLog.clear();
  }

  /** Moves the Confluence emulator's clock (which the engine keeps too) forward. */
  advance(seconds: number): void {
    this.confluence.clock.advance(seconds * 1000);
  }

  async confluenceFault(fault: Record<string, unknown>): Promise<void> {
    await this.#confluenceAdmin("POST", "faults", fault);
  }

  async graphFault(fault: Record<string, unknown>): Promise<void> {
    await this.#graphAdmin("POST", "faults", fault);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.graph.close(), this.confluence.close()]);
  }

  async #graphAdmin(method: string, path: string, body?: unknown): Promise<unknown> {
    return admin(`${this.graph.urls.graphBaseUrl}/_admin/${path}`, method, body);
  }

  async #confluenceAdmin(method: string, path: string, body?: unknown): Promise<unknown> {
    return admin(`${this.confluence.urls.baseUrl}/_admin/${path}`, method, body);
  }
}

async function admin(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} failed: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `count` customers, ids 1…count, gate open. */
export function sampleCustomers(count: number): HarnessItem[] {
  const statuses = ["On track", "At risk", "Blocked"];
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    fields: { Title: `Customer ${i + 1}`, Status: statuses[i % 3], Amount: (i + 1) * 1000, SyncTracker: true },
  }));
}
