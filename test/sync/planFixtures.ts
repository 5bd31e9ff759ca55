import { type ProfileInput, profileSchema } from "../../shared/config/profile";
import {
  type ApplyOutcome,
  type CanonicalValue,
  type ConfluenceRowReading,
  type FieldReading,
  type ItemState,
  type Plan,
  planSync,
  type ReadyPlan,
  type SettledRow,
  type SharePointCreateOutcome,
  type SharePointItemReading,
  type SharePointOpOutcome,
  type SharePointSide,
  type SyncRules,
  settlePlan,
  syncRulesFromProfile,
} from "../../shared/sync";

/** An unreadable value, as a codec reports `abc` in a Number column. */
export const BAD = Symbol("unreadable");
export type Cell = CanonicalValue | typeof BAD;

const reading = (value: Cell): FieldReading =>
  value === BAD
    ? { ok: false, error: { code: "NUMBER_INVALID", message: `"abc" is not a number` } }
    : { ok: true, value };

/** A validated profile (through the real schema) reduced to rules; fields Title, Status and Owner by default. */
export function rules(overrides: Partial<ProfileInput> = {}): SyncRules {
  const profile = profileSchema.parse({
    key: "contoso-tasks",
    sharePoint: { siteId: "contoso.sharepoint.com,1,2", listId: "list-1" },
    confluence: { cloudId: "cloud-1", target: { mode: "table", pageId: "42" } },
    fields: [
      { sharePoint: "Title", confluence: "Title" },
      { sharePoint: "Status", confluence: "Status" },
      { sharePoint: "Owner", confluence: "Owner" },
    ],
    ...overrides,
  });
  return syncRulesFromProfile(profile);
}

export function item(
  id: string,
  fields: Record<string, Cell>,
  version = 1,
  modifiedAt = "2024-05-01T09:00:00Z",
): SharePointItemReading {
  return {
    id,
    eTag: `"${id},${version}"`,
    modifiedAt,
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, reading(v)])),
  };
}

export function row(rowRef: number, rowKey: string | null, cells: Record<string, Cell>): ConfluenceRowReading {
  return { rowRef, rowKey, cells: Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, reading(v)])) };
}

export const full = (...items: SharePointItemReading[]): SharePointSide => ({ kind: "full", items });
export const delta = (changed: SharePointItemReading[] = [], deletedIds: string[] = []): SharePointSide => ({
  kind: "delta",
  changed,
  deletedIds,
});

export interface Situation {
  readonly rules?: SyncRules;
  readonly state?: readonly ItemState[];
  readonly sharePoint: SharePointSide;
  readonly rows: readonly ConfluenceRowReading[];
  /** Rows of settled pairs, by position only (their states left out of `state`). */
  readonly settledRows?: readonly SettledRow[];
  readonly pageVersion?: number;
  readonly pageEditedAt?: string;
}

export function plan(situation: Situation): Plan {
  return planSync({
    rules: situation.rules ?? rules(),
    state: situation.state ?? [],
    sharePoint: situation.sharePoint,
    confluence: {
      rows: situation.rows,
      ...(situation.settledRows === undefined ? {} : { settledRows: situation.settledRows }),
      page: { version: situation.pageVersion ?? 7, editedAt: situation.pageEditedAt ?? "2024-05-01T08:00:00Z" },
    },
    runAt: "2024-05-01T10:00:00Z",
  });
}

export function ready(result: Plan): ReadyPlan {
  if (result.kind !== "ready") throw new Error(`expected a ready plan, got ${JSON.stringify(result)}`);
  return result;
}

/** Every write of the plan succeeded; created items get ids from 100 up, updated items a new eTag. */
export function allApplied(result: ReadyPlan, overrides: Partial<ApplyOutcome> = {}): ApplyOutcome {
  const items = new Map<string, SharePointOpOutcome>();
  for (const update of result.sharePoint.updates) {
    items.set(update.sharePointId, {
      ok: true,
      eTag: `"${update.sharePointId},next"`,
      modifiedAt: "2024-05-01T10:00:01Z",
    });
  }
  for (const deletion of result.sharePoint.deletes)
    items.set(deletion.sharePointId, { ok: true, eTag: null, modifiedAt: null });
  const creates = new Map<`row:${number}`, SharePointCreateOutcome>(
    result.sharePoint.creates.map((create, index) => [
      create.createRef,
      { ok: true, sharePointId: String(100 + index), eTag: `"${100 + index},1"`, modifiedAt: "2024-05-01T10:00:01Z" },
    ]),
  );
  return { sharePointItems: items, sharePointCreates: creates, confluenceApplied: true, ...overrides };
}

/** The state after committing `result` with `outcome` on top of `state`. */
export function commit(
  state: readonly ItemState[],
  result: ReadyPlan,
  outcome: ApplyOutcome = allApplied(result),
): ItemState[] {
  const next = new Map(state.map((entry) => [entry.sharePointId, entry]));
  for (const change of settlePlan(result, outcome)) {
    if (change.kind === "put") next.set(change.state.sharePointId, change.state);
    else if (change.kind === "delete") next.delete(change.sharePointId);
  }
  return [...next.values()];
}

/** The state of pairs that are in sync: each id with its row, through a real first sync. */
export function syncedState(pairs: Record<string, Record<string, Cell>>, ruleSet: SyncRules = rules()): ItemState[] {
  const ids = Object.keys(pairs);
  const first = ready(
    plan({
      rules: ruleSet,
      sharePoint: full(...ids.map((id) => item(id, pairs[id]!))),
      rows: ids.map((id, index) => row(index, id, pairs[id]!)),
    }),
  );
  return commit([], first);
}
