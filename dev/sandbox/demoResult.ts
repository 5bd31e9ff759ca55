import type { ProfileCheckReport } from "../../shared/diagnostics";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import type { RunReport } from "../../shared/engine/run/runReport";
import type { ServiceCalls } from "./apiCallTally";
import type { PersonEdit, SandboxCheck, SandboxOutcome } from "./scenario/index.js";

/**
 * One sync of the demo: the run report, the progress its orchestration published while it ran (each custom status, in
 * order), the calls the emulators served during it, and how long it took.
 */
export interface DemoRun {
  label: string;
  report: RunReport;
  progress: RunProgress[];
  calls: { graph: ServiceCalls; confluence: ServiceCalls };
  /** Wall time of the run, milliseconds. */
  durationMs: number;
}

/** What the sandbox holds, for the introduction. */
export interface DemoSandbox {
  profileKey: string;
  listName: string;
  siteName: string;
  items: number;
  /** The mapped fields in the profile's order: SharePoint column, Confluence header, column kind (e.g. `choice`). */
  fields: { sharePoint: string; confluence: string; kind: string }[];
  pageTitle: string;
  rowsOnPage: number;
  /** Profile settings worth saying up front. */
  direction: string;
  conflictPolicy: string;
  deletes: { toConfluence: string; toSharePoint: string };
  /** Item titles by SharePoint id, as seeded, for naming items in the story. */
  titles: Record<string, string>;
  /** What lookup ids show as, per lookup field (the report's values are ids). */
  lookupValues: Record<string, Record<string, string>>;
}

/**
 * Both sides as the emulators hold them after the last run (list size, page version, row IDs) and the demo's
 * expectations checked against them, plus the check that the last run was quiet.
 */
export type DemoOutcome = SandboxOutcome;
export type DemoCheck = SandboxCheck;
/** What a person did between two syncs. */
export type DemoPersonEdit = PersonEdit;

/** Everything the demo did, as `demo --json` prints it. */
export interface DemoResult {
  sandbox: DemoSandbox;
  /** Milliseconds to start the emulators, Azurite and the config store and import the profile. */
  setupMs: number;
  /** `confluence-sync check` of the demo profile, before the first sync. */
  check: ProfileCheckReport;
  runs: DemoRun[];
  edits: DemoPersonEdit[];
  /** The conflict a person settled after the third sync, through `conflicts resolve`. */
  settlement: DemoSettlement;
  /** Conflicts still open after the last run, as the conflict store holds them. */
  openConflicts: {
    item: string | null;
    field: string | null;
    base?: unknown;
    sharePoint?: unknown;
    confluence?: unknown;
  }[];
  outcome: DemoOutcome;
  /** Whole demo, start to finish, milliseconds. */
  totalMs: number;
  /** The CONFLUENCE_SYNC_HOME the demo used, when kept (`--keep`). */
  keptHome: string | null;
}

/** A person settling the demo's conflict: who, which conflict, what they took, and the command that does it. */
export interface DemoSettlement {
  person: string;
  conflictId: string;
  itemId: string;
  field: string;
  take: "sharePoint" | "confluence";
  value: unknown;
  /** The same as `confluence-sync conflicts resolve …`, which the demo runs the code of. */
  command: string;
}

/** Progress as it happens, so the text report can be printed section by section. */
export type DemoEvent =
  | { kind: "ready"; sandbox: DemoSandbox; setupMs: number }
  | { kind: "check"; report: ProfileCheckReport }
  | { kind: "run"; run: DemoRun }
  | { kind: "edits"; edits: DemoPersonEdit[] }
  | { kind: "settled"; settlement: DemoSettlement };
