import { performance } from "node:perf_hooks";
import { type Profile, parseProfileFile } from "../../shared/config";
import { checkProfile, type ProfileCheckReport } from "../../shared/diagnostics";
import { settleConflicts } from "../../shared/engine/conflictSettling";
import type { EngineServices } from "../../shared/engine/engineServices";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import type { RunReport } from "../../shared/engine/run/runReport";
import { normaliseText, parseStorage, readNodeContent } from "../../shared/mapping";
import { blockEntries, findBlockTable } from "../../shared/mapping/keyValueBlock";
import { globalRedactor } from "../../shared/runtime";
import { confluenceCallKind, graphCallKind, type ServiceCalls, tallyCalls } from "./apiCallTally";
import type { DemoCheck } from "./demoResult";
import {
  CUSTOMERS_LIST_ID,
  CUSTOMERS_PARENT_ID,
  PAGES_PROFILE_KEY,
  pagesProfileFile,
  pagesSandboxSeed,
  sandboxCustomers,
} from "./pagesScenario";
import { SandboxDemoFailed } from "./sandboxDemoFailed";
import { type SandboxHost, startSandboxHost } from "./sandboxHost";
import { recordSyncProgress } from "./syncProgress";

/** One sync of the pages demo, with the progress its orchestration published while it ran (in order). */
export interface PagesDemoRun {
  label: string;
  report: RunReport;
  progress: RunProgress[];
  calls: { graph: ServiceCalls; confluence: ServiceCalls };
  durationMs: number;
}

/** What a person did between two syncs. */
export interface PagesDemoEdit {
  side: "SharePoint" | "Confluence";
  who: string;
  what: string;
}

/** A person settling the pages demo's conflict through the code of `conflicts resolve`. */
export interface PagesDemoSettlement {
  person: string;
  conflictId: string;
  itemId: string;
  field: string;
  take: "sharePoint" | "confluence";
  value: unknown;
  /** The same as `confluence-sync conflicts resolve …`, which the demo runs the code of. */
  command: string;
}

/** Everything the pages demo did, as `demo --pages --json` prints it. */
export interface PagesDemoResult {
  profileKey: string;
  customers: number;
  /** `confluence-sync check` of the pages profile, before the first sync. */
  check: ProfileCheckReport;
  runs: PagesDemoRun[];
  edits: PagesDemoEdit[];
  /** The conflict a person settled after the quiet sync. */
  settlement: PagesDemoSettlement;
  checks: DemoCheck[];
  setupMs: number;
  totalMs: number;
  keptHome: string | null;
}

export type PagesDemoEvent =
  | { kind: "ready"; customers: number; setupMs: number }
  | { kind: "check"; report: ProfileCheckReport }
  | { kind: "run"; run: PagesDemoRun }
  | { kind: "edits"; edits: PagesDemoEdit[] }
  | { kind: "settled"; settlement: PagesDemoSettlement };

const BROKEN_OUTCOMES = new Set<RunReport["outcome"]>(["failed", "invalid", "stopped"]);

/**
 * The pages demo (docs/pages-mode.md): a 30-customer list, a parent page and a template. `confluence-sync check` of the
 * profile first; the first sync creates a page per customer whose gate is open and writes its id back; then people edit
 * items and pages, close a gate, make a conflict, trash a page and copy one; the second sync shows each outcome (the
 * sweep sees the trashed page); the third, with nothing new, costs one call per service; then a person settles the
 * conflict, as `conflicts resolve` does, and a fourth sync writes the chosen value. Both services are checked at the end.
 */
export async function runPagesDemo(options: {
  keep: boolean;
  cwd: string;
  onEvent?: (event: PagesDemoEvent) => void;
  /** Hears each sync's progress as its orchestrator publishes it. */
  onProgress?: (progress: RunProgress) => void;
}): Promise<PagesDemoResult> {
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = performance.now();
  let engineModule: typeof import("../localHost/localEngine.js") | undefined;
  const host = await startSandboxHost({
    persistState: options.keep,
    cwd: options.cwd,
    seed: pagesSandboxSeed() as unknown as Record<string, unknown>,
    whileStarting: async () => {
      engineModule = await import("../localHost/localEngine.js");
    },
  });
  try {
    const { openLocalEngine, runProfileSyncLocally } = engineModule!;
    const profile = await importProfile(host);
    // The demo moves time on (to show the sweep): the engine and the Confluence emulator keep the same clock.
    const shift = { ms: 0 };
    const engine = await openLocalEngine(host.config, { clock: { now: () => Date.now() + shift.ms } });
    host.onClose(() => engine.close());
    const setupMs = performance.now() - startedAt;
    emit({ kind: "ready", customers: sandboxCustomers.length, setupMs });
    // What `confluence-sync check customers` says before anything is synced: the template, parent and columns fit.
    const check = await checkProfile(engine.services, profile.key);
    if (!check.ok)
      throw new SandboxDemoFailed(
        `the pages demo profile does not pass its check: ${check.checks
          .filter((line) => line.verdict === "fail")
          .map((line) => `${line.id}: ${line.detail}`)
          .join("; ")}`,
      );
    emit({ kind: "check", report: check });

    const runs: PagesDemoRun[] = [];
    const run = async (label: string): Promise<void> => {
      await host.clearRequestLogs();
      const started = performance.now();
      const recorder = recordSyncProgress(profile.key, options.onProgress, engine.progress);
      const result = await runProfileSyncLocally(
        engine.registry,
        { profileKey: profile.key, dryRun: false, trigger: "cli" },
        recorder.options,
      ).finally(recorder.stop);
      if (result.status !== "Completed") throw new SandboxDemoFailed(`sync "${label}" failed: ${result.error ?? "?"}`);
      const report = result.output as RunReport;
      if (BROKEN_OUTCOMES.has(report.outcome))
        throw new SandboxDemoFailed(`sync "${label}" ended "${report.outcome}": ${report.problem?.message ?? ""}`);
      const logs = await host.requestLogs();
      const done = {
        label,
        report,
        progress: recorder.progress,
        calls: {
          graph: tallyCalls(logs.graph, graphCallKind(CUSTOMERS_LIST_ID)),
          confluence: tallyCalls(logs.confluence, confluenceCallKind),
        },
        durationMs: performance.now() - started,
      };
      runs.push(done);
      emit({ kind: "run", run: done });
    };

    await run("the first sync: a page for every customer whose gate is open");
    const edits = await makeEdits(host);
    emit({ kind: "edits", edits });
    await advance(host, shift, 6 * 60);
    await run("after the edits (the sweep is due)");
    await run("nothing new since");
    const quiet = runs[runs.length - 1]!;
    const settlement = await settleConflict(engine.services, profile);
    emit({ kind: "settled", settlement });
    await run("after the conflict was settled");
    const checks = await checkOutcome(host, quiet, engine.services, settlement);
    return {
      profileKey: profile.key,
      customers: sandboxCustomers.length,
      check,
      runs,
      edits,
      settlement,
      checks,
      setupMs,
      totalMs: performance.now() - startedAt,
      keptHome: options.keep ? host.home : null,
    };
  } finally {
    await host.close({ keepHome: options.keep });
  }
}

async function importProfile(host: SandboxHost): Promise<Profile> {
  const parsed = parseProfileFile(
    pagesProfileFile({
      graphBaseUrl: host.urls.graphBaseUrl,
      authorityHost: host.urls.authorityHost,
      confluenceAuthBaseUrl: host.urls.confluenceAuthBaseUrl,
      confluenceApiBaseUrl: host.urls.confluenceApiBaseUrl,
    }),
    { endpoints: host.config.settings.endpointAllowlist },
  );
  if (!parsed.ok)
    throw new SandboxDemoFailed(
      `the pages demo profile does not validate: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  await host.config.profiles.save(parsed.profile);
  for (const [name, value] of Object.entries(parsed.secrets)) {
    if (value === undefined) continue;
    globalRedactor.register(value);
    await host.config.secrets.set(parsed.profile.key, name, value);
  }
  return parsed.profile;
}

async function advance(host: SandboxHost, shift: { ms: number }, seconds: number): Promise<void> {
  await admin(host.urls.confluenceBaseUrl, "POST", "clock", { advanceSeconds: seconds });
  shift.ms += seconds * 1000;
}

// ------------------------------------------------------------------ people's edits

interface ConfluenceState {
  pages: {
    id: string;
    parentId: string | null;
    title: string;
    status: string;
    body: string;
    version: { number: number };
    properties: { key: string; value: unknown }[];
  }[];
}

interface GraphState {
  sites: { lists: { id: string; items: { id: string; fields: Record<string, unknown> }[] }[] }[];
}

const name = (id: number) => sandboxCustomers.find((customer) => customer.id === id)?.name ?? `#${id}`;

/** The customer pages by the item their link property names. */
function pagesByItem(state: ConfluenceState): Map<string, ConfluenceState["pages"][number]> {
  const found = new Map<string, ConfluenceState["pages"][number]>();
  for (const page of state.pages) {
    if (page.parentId !== CUSTOMERS_PARENT_ID || page.status !== "current") continue;
    const link = page.properties.find((property) => property.key === "confluencesync.link")?.value as
      | { itemId?: string }
      | undefined;
    if (link?.itemId !== undefined && !found.has(link.itemId)) found.set(link.itemId, page);
  }
  return found;
}

/** A page body with one cell of the block replaced (as a person edits it in the editor). */
function withCell(body: string, key: string, inner: string): string {
  const pattern = new RegExp(
    `(<tr[^>]*>\\s*<th[^>]*>(?:(?!</th>).)*?${key}(?:(?!</th>).)*</th>\\s*<td[^>]*>)(.*?)(</td>)`,
    "s",
  );
  if (!pattern.test(body)) throw new SandboxDemoFailed(`a customer page has no "${key}" row`);
  return body.replace(pattern, (_all, open: string, _old: string, close: string) => `${open}${inner}${close}`);
}

async function makeEdits(host: SandboxHost): Promise<PagesDemoEdit[]> {
  const graph = host.urls.graphBaseUrl;
  const confluence = host.urls.confluenceBaseUrl;
  const site = pagesSandboxSeed().graph.sites[0]!.id;
  const item = (id: number, fields: Record<string, unknown>) =>
    admin(graph, "PATCH", `sites/${site}/lists/${CUSTOMERS_LIST_ID}/items/${id}`, { fields });
  const pages = pagesByItem((await admin(confluence, "GET", "state")) as ConfluenceState);
  const pageOf = (id: number) => {
    const page = pages.get(String(id));
    if (page === undefined) throw new SandboxDemoFailed(`customer #${id} has no page after the first sync`);
    return page;
  };
  const savePage = (id: number, key: string, inner: string) =>
    admin(confluence, "PUT", `pages/${pageOf(id).id}`, { body: withCell(pageOf(id).body, key, inner) });
  const lozenge = (title: string, colour: string) =>
    `<p><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">${colour}</ac:parameter><ac:parameter ac:name="title">${title}</ac:parameter></ac:structured-macro></p>`;

  await item(7, { Amount: 135000 });
  await savePage(7, "Go-live", '<p><time datetime="2026-06-12" /></p>');
  await item(12, { Status: "Blocked" });
  await savePage(12, "Status", lozenge("On track", "Green"));
  await item(15, { SyncTracker: false, Region: "APAC" });
  await item(29, { SyncTracker: true });
  await admin(confluence, "DELETE", `pages/${pageOf(20).id}`);
  await admin(confluence, "POST", `pages/${pageOf(5).id}/copy`, { title: `${name(5)} (copy)` });
  return [
    { side: "SharePoint", who: "Lee Gu", what: `#7 ${name(7)}: Contract value → 135000` },
    { side: "Confluence", who: "Adele Vance", what: `#7 ${name(7)}'s page: Go-live → 2026-06-12` },
    { side: "SharePoint", who: "Diego Siciliani", what: `#12 ${name(12)}: Status → Blocked` },
    { side: "Confluence", who: "Adele Vance", what: `#12 ${name(12)}'s page: Status → On track` },
    { side: "SharePoint", who: "Megan Bowen", what: `#15 ${name(15)}: closes its gate, then Region → APAC` },
    { side: "SharePoint", who: "Megan Bowen", what: `#29 ${name(29)}: opens its gate` },
    { side: "Confluence", who: "Adele Vance", what: `moves #20 ${name(20)}'s page to the trash` },
    { side: "Confluence", who: "Adele Vance", what: `copies #5 ${name(5)}'s page` },
  ];
}

/** The conflict on #12's Status, settled by taking SharePoint's value, through the code of `conflicts resolve`. */
async function settleConflict(services: EngineServices, profile: Profile): Promise<PagesDemoSettlement> {
  const conflictId = "item 12|Status";
  const person = "Megan Bowen";
  const take = "sharePoint";
  const result = await settleConflicts(services, {
    profileKey: profile.key,
    target: { kind: "one", id: conflictId },
    take,
    by: person,
    via: "cli",
  });
  const recorded = result.settled[0]?.settlement;
  if (recorded === undefined) throw new SandboxDemoFailed(`the conflict ${conflictId} could not be settled`);
  return {
    person,
    conflictId,
    itemId: "12",
    field: "Status",
    take,
    value: recorded.value,
    command: `confluence-sync conflicts resolve ${profile.key} "${conflictId}" --take ${take}`,
  };
}

// ------------------------------------------------------------------ checks

/** The block of a page as a person reads it: key → text (lozenges by title, dates by their datetime). */
function blockValues(pageId: string, body: string): Record<string, string> {
  const parsed = parseStorage(body, { pageId });
  if (!parsed.ok) return {};
  const table = findBlockTable(parsed.document, { detailsId: "customer" });
  if (table === undefined) return {};
  return Object.fromEntries(
    blockEntries(table).map((entry) => {
      if (entry.valueCell === undefined) return [entry.key, ""];
      const content = readNodeContent(parsed.document, entry.valueCell.node);
      const status = content.readings.find((reading) => reading.kind === "status");
      const date = content.readings.find((reading) => reading.kind === "date");
      const text =
        status?.kind === "status" ? status.title : date?.kind === "date" ? date.datetime : normaliseText(content.text);
      return [entry.key, text];
    }),
  );
}

async function checkOutcome(
  host: SandboxHost,
  quiet: PagesDemoRun,
  services: EngineServices,
  settlement: PagesDemoSettlement,
): Promise<DemoCheck[]> {
  const state = (await host.adminState()) as { graph: GraphState; confluence: ConfluenceState };
  const items = new Map(
    (state.graph.sites[0]?.lists.find((list) => list.id === CUSTOMERS_LIST_ID)?.items ?? []).map((item) => [
      item.id,
      item.fields,
    ]),
  );
  const pages = pagesByItem(state.confluence);
  const customerPages = state.confluence.pages.filter((page) => page.parentId === CUSTOMERS_PARENT_ID);
  const checks: DemoCheck[] = [];
  const check = (expectation: string, ok: boolean, found?: string) =>
    checks.push(ok || found === undefined ? { ok, expectation } : { ok, expectation, found });

  const linked = [...items].filter(([id, fields]) => fields.SyncTracker === true && id !== "20");
  const unmatched = linked.filter(([id, fields]) => {
    const page = pages.get(id);
    if (page === undefined || fields.ConfluencePageId !== page.id) return true;
    if (id === "15") return false;
    const values = blockValues(page.id, page.body);
    const goLive = typeof fields.GoLive === "string" ? fields.GoLive.slice(0, 10) : "";
    return (
      values.Customer !== fields.Title ||
      values.Status !== fields.Status ||
      values.Region !== fields.Region ||
      values["Contract value"] !== String(fields.Amount) ||
      values["Go-live"] !== goLive
    );
  });
  check(
    "every customer whose gate is open has one page, its id in ConfluencePageId, the same values on both sides",
    unmatched.length === 0,
    `customers ${unmatched.map(([id]) => id).join(", ")} differ`,
  );
  const ids = [...pages.values()].map((page) => page.id);
  check(
    "every page id is above 2^31 and kept as text",
    ids.every((id) => Number(id) > 2 ** 31),
  );
  // Pages claiming each customer by their link, the one copy a person made aside.
  const claims = new Map<string, number>();
  for (const page of customerPages) {
    if (page.status !== "current" || page.title.endsWith("(copy)")) continue;
    const link = page.properties.find((property) => property.key === "confluencesync.link")?.value as
      | { itemId?: string }
      | undefined;
    if (link?.itemId !== undefined) claims.set(link.itemId, (claims.get(link.itemId) ?? 0) + 1);
  }
  const doubled = [...claims].filter(([, count]) => count > 1).map(([id]) => id);
  check("no customer has two pages", doubled.length === 0, `customers ${doubled.join(", ")} have several`);
  const edited = items.get("7");
  check(
    "#7 got both edits: Contract value from the list, Go-live from its page",
    edited?.Amount === 135000 && typeof edited.GoLive === "string" && edited.GoLive.startsWith("2026-06-12"),
  );
  const settled = pages.get("12");
  const entry = await services.state.conflicts.get(PAGES_PROFILE_KEY, settlement.conflictId);
  check(
    `#12's conflicting Status, settled by ${settlement.person} taking SharePoint's "Blocked", is on both sides and the conflict is closed`,
    items.get("12")?.Status === "Blocked" &&
      settled !== undefined &&
      blockValues(settled.id, settled.body).Status === "Blocked" &&
      entry?.status === "resolved" &&
      entry.settlement?.state === "applied",
    `list ${String(items.get("12")?.Status)}, page ${settled === undefined ? "none" : blockValues(settled.id, settled.body).Status}, conflict ${entry?.status ?? "none"}`,
  );
  const held = pages.get("15");
  check(
    "#15's Region change waits behind its closed gate",
    items.get("15")?.Region === "APAC" && held !== undefined && blockValues(held.id, held.body).Region !== "APAC",
  );
  check("#29 got its page once its gate opened; #30 (gate closed) has none", pages.has("29") && !pages.has("30"));
  check(
    "#20's page is in the trash and the item is kept, unlinked, with no new page",
    items.has("20") && !pages.has("20") && customerPages.some((page) => page.status === "trashed"),
  );
  const copy = customerPages.find((page) => page.title === `${name(5)} (copy)`);
  check(
    "the copy of #5's page is left as it was and #5 keeps its own page",
    copy?.version.number === 1 && pages.get("5")?.id !== copy?.id,
  );
  const calls = { graph: quiet.calls.graph.total, confluence: quiet.calls.confluence.total };
  const { sharePoint, confluence } = quiet.report.counts;
  const writes = [sharePoint, confluence].reduce((sum, side) => sum + side.created + side.updated + side.deleted, 0);
  check(
    "the sync with nothing new wrote nothing and made one Graph call and one Confluence call",
    writes === 0 && calls.graph === 1 && calls.confluence === 1,
    `${writes} writes; ${calls.graph} Graph calls, ${calls.confluence} Confluence calls`,
  );
  return checks;
}

async function admin(origin: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${origin}/_admin/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new SandboxDemoFailed(`${method} /_admin/${path} answered ${response.status}: ${text}`);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

export { PAGES_PROFILE_KEY };
