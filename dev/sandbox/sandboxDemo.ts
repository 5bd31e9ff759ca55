import { performance } from "node:perf_hooks";
import { type ConfigServices, type Profile, parseProfileFile } from "../../shared/config";
import { checkProfile } from "../../shared/diagnostics";
import { settleConflicts } from "../../shared/engine/conflictSettling";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import type { RunReport } from "../../shared/engine/run/runReport";
import { fieldKindOf } from "../../shared/mapping";
import { globalRedactor, secretSlot } from "../../shared/runtime";
import type { LocalEngine } from "../localHost/localEngine";
import { confluenceCallKind, graphCallKind, tallyCalls } from "./apiCallTally";
import type { DemoCheck, DemoEvent, DemoResult, DemoRun, DemoSandbox, DemoSettlement } from "./demoResult";
import { SandboxDemoFailed } from "./sandboxDemoFailed";
import { type SandboxHost, type SandboxModule, startSandboxHost } from "./sandboxHost";
import { recordSyncProgress } from "./syncProgress";

export interface SandboxDemoOptions {
  /** Keep the temporary CONFLUENCE_SYNC_HOME (config.db and, then persisted, the state tables) afterwards. */
  keep: boolean;
  cwd: string;
  onEvent?: (event: DemoEvent) => void;
  /** Hears each sync's progress as its orchestrator publishes it (the custom status, via the local Durable host). */
  onProgress?: (progress: RunProgress) => void;
}

/** A run that ended like this means the demo itself is broken, not that it found something to report. */
const BROKEN_OUTCOMES = new Set<RunReport["outcome"]>(["failed", "invalid", "stopped"]);

/**
 * The sandbox demo: starts everything locally, imports the demo profile the way `profiles import` does, and runs
 * the real `syncProfile` orchestrator through the local Durable host — a first sync of a list and a page that already
 * hold (partly different) data, a sync after people edited both sides, a sync with nothing to do — then a person
 * settles the conflict those edits made, as `conflicts resolve` does, and a fourth sync writes the chosen value.
 */
export async function runSandboxDemo(options: SandboxDemoOptions): Promise<DemoResult> {
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = performance.now();
  // The engine's modules load while Azurite boots (the longest part of starting).
  let engineModule: EngineModule | undefined;
  const host = await startSandboxHost({
    persistState: options.keep,
    cwd: options.cwd,
    whileStarting: async () => {
      engineModule = await import("../localHost/localEngine.js");
    },
  });
  try {
    const { openLocalEngine, runProfileSyncLocally } = engineModule!;
    const profile = await importDemoProfile(host);
    // The state tables are in the sandbox's Azurite: the config's settings name it (AzureWebJobsStorage).
    const engine = await openLocalEngine(host.config);
    host.onClose(() => engine.close());
    const sandbox = describeSandbox(host.sandbox, profile);
    const setupMs = performance.now() - startedAt;
    emit({ kind: "ready", sandbox, setupMs });
    // What `confluence-sync check demo` says before anything is synced: the profile can sync as things are.
    const check = await checkProfile(engine.services, profile.key);
    if (!check.ok)
      throw new SandboxDemoFailed(
        `the demo profile does not pass its check: ${check.checks
          .filter((line) => line.verdict === "fail")
          .map((line) => `${line.id}: ${line.detail}`)
          .join("; ")}`,
      );
    emit({ kind: "check", report: check });

    const runs: DemoRun[] = [];
    const run = async (label: string): Promise<void> => {
      const done = await measuredRun(host, engine, profile, label, runProfileSyncLocally, options.onProgress);
      if (BROKEN_OUTCOMES.has(done.report.outcome)) {
        const problem =
          done.report.problem === undefined ? "" : `: ${done.report.problem.code} ${done.report.problem.message}`;
        throw new SandboxDemoFailed(`sync ${runs.length + 1} (${label}) ended "${done.report.outcome}"${problem}`);
      }
      runs.push(done);
      emit({ kind: "run", run: done });
    };

    await run("the first sync, of a list and a page that both hold data");
    const edits = await host.sandbox.makePeopleEdits({
      graphBaseUrl: host.urls.graphBaseUrl,
      confluenceBaseUrl: host.urls.confluenceBaseUrl,
    });
    emit({ kind: "edits", edits });
    await run("after the edits");
    await run("nothing new since");
    const quiet = runs[runs.length - 1]!;
    const settlement = await settleDemoConflict(engine, profile, host.sandbox);
    emit({ kind: "settled", settlement });
    await run("after the conflict was settled");

    const openConflicts = (await engine.services.state.conflicts.listOpen(profile.key)).map((conflict) => ({
      item: conflict.item.sharePointId,
      field: conflict.field,
      ...conflict.values,
    }));
    const outcome = host.sandbox.sandboxOutcome(await host.adminState());
    outcome.checks.push(quietCheck(quiet));
    return {
      sandbox,
      setupMs,
      check,
      runs,
      edits,
      settlement,
      openConflicts,
      outcome,
      totalMs: performance.now() - startedAt,
      keptHome: options.keep ? host.home : null,
    };
  } finally {
    await host.close({ keepHome: options.keep });
  }
}

/**
 * The scenario's settlement, through the code `confluence-sync conflicts resolve` runs (shared/engine/conflictSettling):
 * recorded with who and what; the next sync applies it.
 */
async function settleDemoConflict(
  engine: LocalEngine,
  profile: Profile,
  sandbox: SandboxModule,
): Promise<DemoSettlement> {
  const { conflict, settlement } = sandbox.peopleEdits;
  const conflictId = `item ${conflict.itemId}|${conflict.field}`;
  const person = sandbox.sandboxPerson(settlement.person).displayName;
  const result = await settleConflicts(engine.services, {
    profileKey: profile.key,
    target: { kind: "one", id: conflictId },
    take: settlement.take,
    by: person,
    via: "cli",
  });
  const recorded = result.settled[0]?.settlement;
  if (recorded === undefined) throw new SandboxDemoFailed(`the conflict ${conflictId} could not be settled`);
  return {
    person,
    conflictId,
    itemId: String(conflict.itemId),
    field: conflict.field,
    take: settlement.take,
    value: recorded.value,
    command: `confluence-sync conflicts resolve ${profile.key} "${conflictId}" --take ${settlement.take}`,
  };
}

/** Invariant 5 of the design: once nothing changes, a run writes nothing and reads one delta and one page (sync 3). */
function quietCheck(run: DemoRun): DemoCheck {
  const { sharePoint, confluence } = run.report.counts;
  const writes = [sharePoint, confluence].reduce((sum, side) => sum + side.created + side.updated + side.deleted, 0);
  const calls = { graph: run.calls.graph.total, confluence: run.calls.confluence.total };
  const ok = writes === 0 && calls.graph === 1 && calls.confluence === 1;
  const expectation = "the sync with nothing new wrote nothing and made one Graph call and one Confluence call";
  return ok
    ? { ok, expectation }
    : { ok, expectation, found: `${writes} writes; ${calls.graph} Graph calls, ${calls.confluence} Confluence calls` };
}

/** Stores the demo profile and its secrets through the CLI's own stores, as `profiles import` would. */
async function importDemoProfile(host: SandboxHost): Promise<Profile> {
  const { urls } = host;
  const parsed = parseProfileFile(
    host.sandbox.sandboxProfileFile({
      graphBaseUrl: urls.graphBaseUrl,
      authorityHost: urls.authorityHost,
      confluenceAuthBaseUrl: urls.confluenceAuthBaseUrl,
      confluenceApiBaseUrl: urls.confluenceApiBaseUrl,
    }),
    { endpoints: host.config.settings.endpointAllowlist },
  );
  if (!parsed.ok)
    throw new SandboxDemoFailed(
      `the demo profile does not validate: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  await saveProfileWithSecrets(host.config, parsed.profile, parsed.secrets);
  const validation = await host.config.validator.validateStored(parsed.profile.key);
  if (!validation.valid)
    throw new SandboxDemoFailed(`the demo profile cannot run: missing ${validation.missingSecrets.join(", ")}`);
  return parsed.profile;
}

async function saveProfileWithSecrets(
  config: ConfigServices,
  profile: Profile,
  secrets: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  await config.profiles.save(profile);
  for (const [name, value] of Object.entries(secrets)) {
    if (value === undefined) continue;
    globalRedactor.register(value, secretSlot(profile.key, name));
    await config.secrets.set(profile.key, name, value);
  }
}

type EngineModule = typeof import("../localHost/localEngine.js");

async function measuredRun(
  host: SandboxHost,
  engine: LocalEngine,
  profile: Profile,
  label: string,
  runProfileSyncLocally: EngineModule["runProfileSyncLocally"],
  onProgress: ((progress: RunProgress) => void) | undefined,
): Promise<DemoRun> {
  await host.clearRequestLogs();
  const started = performance.now();
  const recorder = recordSyncProgress(profile.key, onProgress);
  const progress = recorder.progress;
  const run = await runProfileSyncLocally(
    engine.registry,
    { profileKey: profile.key, dryRun: false, trigger: "cli" },
    recorder.options,
  );
  const durationMs = performance.now() - started;
  if (run.status !== "Completed")
    throw new SandboxDemoFailed(`the sync "${label}" failed: ${run.error ?? "unknown error"}`);
  const report = run.output as RunReport;
  const logs = await host.requestLogs();
  return {
    label,
    report,
    progress,
    calls: {
      graph: tallyCalls(logs.graph, graphCallKind(profile.sharePoint.listId)),
      confluence: tallyCalls(logs.confluence, confluenceCallKind),
    },
    durationMs,
  };
}

/** Plain names of the column kinds, as a reader knows them from SharePoint's column types. */
const KIND_NAMES: Record<string, string> = {
  text: "text",
  note: "multi-line text",
  number: "number",
  currency: "currency",
  boolean: "yes/no",
  choice: "choice",
  multiChoice: "multi-choice",
  dateOnly: "date",
  dateTime: "date and time",
  person: "person",
  personMulti: "people",
  lookup: "lookup",
  lookupMulti: "multi-lookup",
  hyperlink: "hyperlink",
};

function describeSandbox(sandbox: SandboxModule, profile: Profile): DemoSandbox {
  const columns = sandbox.sandboxProjectColumns;
  const fields = profile.fields.map((field) => {
    const column = columns.find((c) => c.name === field.sharePoint);
    const found = column === undefined ? undefined : fieldKindOf(column, [], field.format);
    const kind = !found?.ok
      ? "unknown"
      : column?.number?.displayAs === "percentage"
        ? "percentage"
        : (KIND_NAMES[found.kind] ?? found.kind);
    return { sharePoint: field.sharePoint, confluence: field.confluence, kind };
  });
  return {
    profileKey: profile.key,
    listName: "Projects",
    siteName: "Contoso Projects",
    items: sandbox.sandboxProjects.length,
    fields,
    pageTitle: sandbox.SANDBOX_PORTFOLIO_PAGE_TITLE,
    rowsOnPage: sandbox.PROJECTS_ON_PAGE,
    direction: profile.direction,
    conflictPolicy: profile.conflictPolicy,
    deletes: { ...profile.deletes },
    titles: Object.fromEntries(sandbox.sandboxProjects.map((project) => [String(project.id), project.title])),
    lookupValues: {
      Client: Object.fromEntries(sandbox.sandboxClients.map((client) => [String(client.id), client.name])),
    },
  };
}
