import type { Profile } from "../../config/profile";
import type { LoadedItemStates } from "../../state/itemStateStore";
import {
  appendsRows,
  awaitingItemDigest,
  type ConfluenceSide,
  type PairDigest,
  type SyncRules,
  splitSettledRows,
} from "../../sync";
import type { EngineServices } from "../engineServices";
import { highestItemId } from "../sharePointChanges";
import type { CycleReads } from "./cycleReads";

/** More ids in flux than this (commits that stopped half-way) and a run loads everything and rebuilds the index. */
const IN_FLUX_LIMIT = 500;

/** The state rows a plan is given, and the table as the planner sees it. */
export interface PlanStates {
  readonly state: LoadedItemStates;
  /** The page's rows; those of settled pairs by position only (`settledRows`), their states not loaded. */
  readonly confluence: ConfluenceSide;
  /** Items awaiting a row that no run can give them now, left out with their states (counted by the planner). */
  readonly idleAwaitingItems: number;
  /** The highest SharePoint id with a state row (loaded or not). */
  readonly highestStateId: number;
  /** `all`: every state row was loaded; `byKey`: only those of pairs that are not settled. */
  readonly loaded: "all" | "byKey";
}

/**
 * Picks the state rows the plan needs (docs/engine.md#settled-pairs). With the pair digest index, a delta run splits
 * off the rows whose digest is still their item's settled digest (and whose item the delta does not mention), and
 * the items that wait for a row nothing can give them now: the planner would plan nothing for them, so their states
 * stay in storage and the rows' cells are let go; every other state row is loaded by key. A full enumeration, or a profile without a usable index, loads every state row, and (not in a
 * dry run, which writes nothing) builds the index from them.
 */
export async function planStates(
  services: EngineServices,
  profile: Profile,
  reads: CycleReads,
  rules: SyncRules,
  page: ConfluenceSide,
  options: {
    readonly dryRun: boolean;
    /** Items with a conflict a person settled since the last run: always planned, their states loaded. */
    readonly itemsWithSettlements: ReadonlySet<string>;
  },
): Promise<PlanStates> {
  const { dryRun } = options;
  const index = await reads.takeDigests();
  const { changes } = reads;
  if (changes.mode.kind === "full" || index === undefined || index.inFlux.size > IN_FLUX_LIMIT) {
    const all = await services.state.items.load(profile.key);
    if (!dryRun && (index === undefined || index.inFlux.size > 0))
      await services.state.items.rebuildDigests(profile.key, all);
    return {
      state: all,
      confluence: page,
      idleAwaitingItems: 0,
      highestStateId: highestItemId(all.states.map((state) => state.sharePointId)),
      loaded: "all",
    };
  }
  const mentioned = new Set([...changes.changedIds, ...changes.deletedIds, ...options.itemsWithSettlements]);
  const fields = rules.fields.map((rule) => rule.key);
  const split = splitSettledRows(page.rows, fields, (id) => index.digests.get(id), mentioned);
  const left = new Set(split.settled.map((row) => row.rowKey));
  const idle = idleAwaitingIds(index.digests, page, rules, mentioned);
  for (const id of idle) left.add(id);
  const known = new Set([...index.digests.keys(), ...index.inFlux]);
  const wanted = [...known].filter((id) => !left.has(id));
  return {
    state: await services.state.items.loadSome(profile.key, wanted),
    confluence: { ...page, rows: split.rows, settledRows: split.settled },
    idleAwaitingItems: idle.length,
    highestStateId: highestItemId(known),
    loaded: "byKey",
  };
}

/**
 * Items that wait for a row no run can give them now (see `idleAwaitingDigest`): none while a row without a key could
 * be theirs or the profile appends rows; else those whose stored digest is the one their id and the profile's fields
 * make, and that neither the delta nor a row mentions.
 */
function idleAwaitingIds(
  digests: ReadonlyMap<string, PairDigest | null>,
  page: ConfluenceSide,
  rules: SyncRules,
  mentioned: ReadonlySet<string>,
): string[] {
  if (appendsRows(rules) || page.rows.some((row) => row.rowKey === null)) return [];
  const rowKeys = new Set(page.rows.map((row) => row.rowKey));
  const fields = rules.fields.map((rule) => rule.key);
  const idle: string[] = [];
  for (const [id, digest] of digests) {
    if (digest === null || mentioned.has(id) || rowKeys.has(id)) continue;
    if (digest === awaitingItemDigest(id, fields)) idle.push(id);
  }
  return idle;
}
