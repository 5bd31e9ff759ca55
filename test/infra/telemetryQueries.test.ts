import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReauthorizationRequired } from "../../shared/confluence/reauthorizationRequired";
import type { RunReport } from "../../shared/engine/run/runReport";
import {
  RUN_ENDED_EVENT,
  runEndedEvent,
  TELEMETRY_EVENTS,
  type TelemetryEventSchema,
  TOKEN_REFRESH_EVENT,
  tokenRefreshEvent,
} from "../../shared/engine/telemetryEvents";
import { infraDir, readRepoFile, readRepoJson } from "./infraProject";

/**
 * The alert rules (infra/app/alerts.bicep and the .kql files it loads) and the workbook (infra/app/workbook.json) read
 * the app's events by name and column. Nothing at deploy time checks those names against the code, and a query that
 * reads a column no event has does not fail: it finds nothing, and the alert stays silent for ever. So every query is
 * held here to the schema the code emits (shared/engine/telemetryEvents.ts), and the schema to what the code emits.
 */

interface Query {
  readonly source: string;
  readonly text: string;
}

const BY_NAME = new Map(TELEMETRY_EVENTS.map((event) => [event.name, event]));
const PROBLEM_CODES_QUERIED = new Set([new ReauthorizationRequired("p", "invalid_grant").code]);

function literals(list: string): string[] {
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
}

/** What a query reads of the events: names it filters on, text and numeric columns, literals compared with columns. */
function reads(text: string) {
  const names = [
    ...[...text.matchAll(/\bName\s*==\s*"([^"]+)"/g)].map((m) => m[1] ?? ""),
    ...[...text.matchAll(/\bName\s+in\s*\(([^)]*)\)/g)].flatMap((m) => literals(m[1] ?? "")),
  ];
  const dimensions = [
    ...[...text.matchAll(/\bProperties\.(\w+)/g)].map((m) => m[1] ?? ""),
    ...[...text.matchAll(/\bProperties\["([^"]+)"\]/g)].map((m) => m[1] ?? ""),
  ];
  const measurements = [
    ...[...text.matchAll(/\bMeasurements\.(\w+)/g)].map((m) => m[1] ?? ""),
    ...[...text.matchAll(/\bMeasurements\["([^"]+)"\]/g)].map((m) => m[1] ?? ""),
  ];
  // `Outcome == "x"`, `Outcome in ("x", "y")`, also through `tostring(Properties.Outcome)`.
  const compared = (column: string) => [
    ...[...text.matchAll(new RegExp(`\\b${column}\\)?\\s*[!=]=\\s*"([^"]+)"`, "g"))].map((m) => m[1] ?? ""),
    ...[...text.matchAll(new RegExp(`\\b${column}\\)?\\s+in\\s*\\(([^)]*)\\)`, "g"))].flatMap((m) =>
      literals(m[1] ?? ""),
    ),
  ];
  return { names, dimensions, measurements, outcomes: compared("Outcome"), problemCodes: compared("ProblemCode") };
}

/** Everything wrong with one query against the schema; empty when it reads only what the code emits. */
function queryProblems(query: Query, schemas: ReadonlyMap<string, TelemetryEventSchema> = BY_NAME): string[] {
  const read = reads(query.text);
  const problems: string[] = [];
  const events = read.names.map((name) => schemas.get(name));
  read.names.forEach((name, index) => {
    if (!events[index]) problems.push(`${query.source}: reads event "${name}", which the code never emits`);
  });
  const known = events.filter((event): event is TelemetryEventSchema => event !== undefined);
  if (known.length === 0) return [...problems, `${query.source}: filters on no event the code emits (Name == "…")`];
  for (const column of read.dimensions) {
    if (!known.some((event) => event.dimensions.includes(column)))
      problems.push(`${query.source}: reads Properties.${column}, which none of its events has`);
  }
  for (const column of read.measurements) {
    if (!known.some((event) => event.measurements.includes(column)))
      problems.push(`${query.source}: reads Measurements.${column}, which none of its events has`);
  }
  for (const value of read.outcomes) {
    if (!known.some((event) => event.values.Outcome?.includes(value)))
      problems.push(`${query.source}: compares Outcome with "${value}", which no run or refresh ends with`);
  }
  for (const code of read.problemCodes) {
    if (!PROBLEM_CODES_QUERIED.has(code)) problems.push(`${query.source}: compares ProblemCode with unknown "${code}"`);
  }
  return problems;
}

const alertsBicep = readRepoFile("infra/app/alerts.bicep");

/** The alert queries as the rules run them: each .kql file alerts.bicep loads, after the `let` line it puts in front. */
function alertQueries(): Array<Query & { lets: string[] }> {
  return [
    ...alertsBicep.matchAll(
      /query: '((?:let \w+ = [^;]+;\\n)*)\$\{loadTextContent\('(alerts\/[\w.]+\.kql)'\)\}'|query: loadTextContent\('(alerts\/[\w.]+\.kql)'\)/g,
    ),
  ].map((match) => {
    const file = match[2] ?? match[3] ?? "";
    return {
      source: `infra/app/${file}`,
      text: readRepoFile(`infra/app/${file}`),
      lets: [...(match[1] ?? "").matchAll(/let (\w+) =/g)].map((m) => m[1] ?? ""),
    };
  });
}

interface WorkbookItem {
  type: number;
  name?: string;
  content?: { query?: string; parameters?: Array<{ name: string; query?: string }> };
}

function workbookQueries(): Query[] {
  const workbook = readRepoJson<{ items: WorkbookItem[] }>("infra/app/workbook.json");
  return workbook.items.flatMap((item) => [
    ...(item.content?.query ? [{ source: `workbook.json item ${item.name}`, text: item.content.query }] : []),
    ...(item.content?.parameters ?? []).flatMap((parameter) =>
      parameter.query ? [{ source: `workbook.json parameter ${parameter.name}`, text: parameter.query }] : [],
    ),
  ]);
}

describe("the alert rules and the workbook read what the code emits", () => {
  const alerts = alertQueries();
  const workbook = workbookQueries();

  it("finds every query: one per rule in alerts.bicep, each .kql file loaded, the workbook's charts and parameters", () => {
    const kqlFiles = readdirSync(path.join(infraDir, "app", "alerts")).filter((file) => file.endsWith(".kql"));
    expect(alerts.map((query) => path.basename(query.source)).sort()).toEqual(kqlFiles.sort());
    expect([...alertsBicep.matchAll(/^\s+query: (?!rule\.query)/gm)]).toHaveLength(alerts.length);
    expect(alerts.length).toBe(6);
    expect(workbook.length).toBeGreaterThanOrEqual(8);
  });

  it("names only events the code emits and reads only their columns and values", () => {
    const problems = [...alerts, ...workbook].flatMap((query) => queryProblems(query));
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("gives each alert query the thresholds it reads, from the rule's parameters", () => {
    for (const query of alerts) {
      for (const name of query.lets)
        expect(query.text, `${query.source} never reads ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
    const lets = alerts.flatMap((query) => query.lets).sort();
    expect(lets).toEqual(
      ["failedRunsInARow", "maxConflictAge", "maxHoursWithoutCompletedRun", "openConflictsThreshold"].sort(),
    );
  });

  it("alerts on what the issues ask: a dead grant, an unsaved refresh token, no completed run, failed runs in a row, conflicts piling up or ageing", () => {
    const byFile = new Map(alerts.map((query) => [path.basename(query.source, ".kql"), reads(query.text)]));
    expect(byFile.get("reauthorizationRequired")?.outcomes).toContain("reauthorization-required");
    // The grant hangs on one process's memory: the profile's latest token event says the store failed or gave up.
    const unsaved = alerts.find((query) => query.source.endsWith("refreshTokenUnsaved.kql"));
    expect(byFile.get("refreshTokenUnsaved")?.names).toEqual([TOKEN_REFRESH_EVENT.name]);
    expect(byFile.get("refreshTokenUnsaved")?.outcomes.sort()).toEqual(["refreshed-unsaved", "unsaved-dropped"]);
    expect(byFile.get("refreshTokenUnsaved")?.measurements).toEqual(["SaveAttempts"]);
    expect(unsaved?.text).toMatch(/summarize arg_max\(TimeGenerated, Outcome\b[^)]*\) by Profile/);
    expect(alertsBicep).toMatch(
      /name: 'confluencesync-refresh-token-unsaved'[\s\S]*?severity: 1[\s\S]*?loadTextContent\('alerts\/refreshTokenUnsaved\.kql'\)/,
    );
    expect(byFile.get("reauthorizationRequired")?.problemCodes).toEqual(["REAUTHORIZATION_REQUIRED"]);
    expect(byFile.get("noCompletedRun")?.outcomes).toEqual(["completed", "completedWithErrors"]);
    expect(byFile.get("failedRunsInARow")?.outcomes.sort()).toEqual(["failed", "invalid", "stopped"]);
    expect(byFile.get("openConflictsAboveThreshold")?.measurements).toContain("ConflictsOpen");
    expect(byFile.get("conflictOlderThan")?.dimensions).toContain("OldestOpenConflictAt");
    // Every alert fires per profile: its rows carry the Profile column the rules split by.
    for (const query of alerts) expect(query.text, query.source).toMatch(/\bby Profile\b/);
  });

  it("charts what the issue asks: runs, outcomes, items changed per side, conflicts and API calls, per profile", () => {
    const read = workbook.map((query) => reads(query.text));
    const dimensions = new Set(read.flatMap((r) => r.dimensions));
    const measurements = new Set(read.flatMap((r) => r.measurements));
    for (const column of ["Profile", "RunId", "Outcome", "ProblemCode", "OldestOpenConflictAt"])
      expect(dimensions).toContain(column);
    for (const column of [
      "SharePointCreated",
      "SharePointUpdated",
      "SharePointDeleted",
      "ConfluenceCreated",
      "ConfluenceUpdated",
      "ConfluenceDeleted",
      "ConflictsOpen",
      "ConflictsOpened",
      "GraphCalls",
      "ConfluenceCalls",
    ])
      expect(measurements).toContain(column);
    expect(new Set(read.flatMap((r) => r.names))).toEqual(new Set([RUN_ENDED_EVENT.name, TOKEN_REFRESH_EVENT.name]));
  });
});

describe("the check itself", () => {
  const good: Query = {
    source: "fixture",
    text: 'AppEvents | where Name == "ConfluenceSync.RunEnded" | where tostring(Properties.Outcome) == "failed" | summarize max(todouble(Measurements.ConflictsOpen)) by tostring(Properties.Profile)',
  };

  it("passes a query that reads only emitted columns (so the failures below are about the planted mistakes)", () => {
    expect(queryProblems(good)).toEqual([]);
  });

  it("refuses a misspelt event, column, measurement or outcome, and a query that names no event", () => {
    expect(queryProblems({ ...good, text: good.text.replace("RunEnded", "RunEnd") })).toEqual([
      'fixture: reads event "ConfluenceSync.RunEnd", which the code never emits',
      'fixture: filters on no event the code emits (Name == "…")',
    ]);
    expect(queryProblems({ ...good, text: good.text.replace("Properties.Profile", "Properties.profile") })).toEqual([
      "fixture: reads Properties.profile, which none of its events has",
    ]);
    expect(queryProblems({ ...good, text: good.text.replace("ConflictsOpen", "OpenConflicts") })).toEqual([
      "fixture: reads Measurements.OpenConflicts, which none of its events has",
    ]);
    expect(queryProblems({ ...good, text: good.text.replace('"failed"', '"Failed"') })).toEqual([
      'fixture: compares Outcome with "Failed", which no run or refresh ends with',
    ]);
    // A token-refresh column read in a query about runs only.
    expect(queryProblems({ ...good, text: good.text.replace("Properties.Profile", "Properties.ErrorCode") })).toEqual([
      "fixture: reads Properties.ErrorCode, which none of its events has",
    ]);
  });
});

describe("the schema is what the code emits", () => {
  const report: RunReport = {
    profile: "hr",
    runId: "run-1",
    dryRun: false,
    trigger: "schedule",
    outcome: "failed",
    problem: { code: "REAUTHORIZATION_REQUIRED", message: "…" },
    startedAt: "2026-03-01T08:00:00.000Z",
    finishedAt: "2026-03-01T08:00:02.500Z",
    cycles: 1,
    counts: {
      sharePoint: { created: 1, updated: 2, deleted: 3 },
      confluence: { created: 4, updated: 5, deleted: 6 },
      conflicts: 7,
      errors: 8,
    },
    items: [],
    apiCalls: { graph: 9, confluence: 10 },
  };

  it("emits every column the run event's schema lists, and no other", () => {
    const event = runEndedEvent(report, { open: 2, openedSince: 1, oldestOpenedAt: "2026-02-01T00:00:00.000Z" });
    expect(event.name).toBe(RUN_ENDED_EVENT.name);
    expect(Object.keys(event.dimensions).sort()).toEqual([...RUN_ENDED_EVENT.dimensions].sort());
    expect(Object.keys(event.measurements).sort()).toEqual([...RUN_ENDED_EVENT.measurements].sort());
  });

  it("emits every column the token refresh's schema lists, and no other", () => {
    const event = tokenRefreshEvent({
      at: "2026-03-01T08:00:00.000Z",
      profileKey: "hr",
      outcome: "refreshed-unsaved",
      errorCode: "SECRETS_STORE_FAILED",
      newExpiry: "2026-03-01T09:00:00.000Z",
      durationMs: 120,
      saveAttempts: 1,
    });
    expect(event.name).toBe(TOKEN_REFRESH_EVENT.name);
    expect(Object.keys(event.dimensions).sort()).toEqual([...TOKEN_REFRESH_EVENT.dimensions].sort());
    expect(Object.keys(event.measurements).sort()).toEqual([...TOKEN_REFRESH_EVENT.measurements].sort());
  });
});
