import { sameItemState } from "./itemState";
import type {
  ConflictRecord,
  DeletionSettlementDecision,
  FieldError,
  ItemDecision,
  ItemStateUpdate,
  KeyWriteBack,
  Plan,
  RowAppend,
  RowRemoval,
  RowUpdate,
  SettlementDecision,
  SharePointCreate,
  SharePointDelete,
  SharePointUpdate,
  StopReason,
} from "./plan";
import { NOTHING_APPLIED, settleItemState } from "./settleState";
import type { Side } from "./side";
import type { SyncRules } from "./syncRules";

/** Compares SharePoint ids numerically when both are numeric (list item ids are), else as text. */
export function compareItemIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Collects one planning step's output; `finish` orders it and applies the mass-delete limit. Internal to the planner. */
export class PlanAccumulator {
  readonly creates: SharePointCreate[] = [];
  readonly updates: SharePointUpdate[] = [];
  readonly deletes: SharePointDelete[] = [];
  readonly rowUpdates: RowUpdate[] = [];
  readonly appends: RowAppend[] = [];
  readonly removals: RowRemoval[] = [];
  readonly keyWriteBacks: KeyWriteBack[] = [];
  readonly conflicts: ConflictRecord[] = [];
  readonly fieldErrors: FieldError[] = [];
  readonly decisions: ItemDecision[] = [];
  readonly stateUpdates: ItemStateUpdate[] = [];
  readonly settlements: SettlementDecision[] = [];
  readonly deletionSettlements: DeletionSettlementDecision[] = [];
  readonly #readsNeeded = new Set<string>();

  needRead(sharePointId: string): void {
    this.#readsNeeded.add(sharePointId);
  }

  /**
   * Records a state update unless it changes nothing: one that depends on no write and settles to the state that
   * is already stored is left out, so a quiet run plans no state writes either.
   */
  addStateUpdate(update: ItemStateUpdate): void {
    const dependsOnWrites =
      update.change.kind === "drop"
        ? update.change.requires !== null
        : update.change.pairRequires.length > 0 ||
          Object.values(update.change.fields).some((field) => field.requires !== null);
    if (!dependsOnWrites) {
      const commit = settleItemState(update, NOTHING_APPLIED);
      if (commit.kind === "none") return;
      if (commit.kind === "delete" && update.before === null) return;
      if (commit.kind === "put" && update.before !== null && sameItemState(update.before, commit.state)) return;
    }
    this.stateUpdates.push(update);
  }

  finish(rules: SyncRules, totals: Readonly<Record<Side, number>>, pageVersion: number): Plan {
    if (this.#readsNeeded.size > 0) {
      return { kind: "needsReads", sharePointIds: [...this.#readsNeeded].sort(compareItemIds) };
    }
    const decisions = [...this.decisions];
    const exceeded = (
      [
        { side: "sharePoint", deletes: this.deletes.length, total: totals.sharePoint },
        { side: "confluence", deletes: this.removals.length, total: totals.confluence },
      ] as const
    ).filter(({ deletes, total }) => deletes * 100 > rules.massDeleteLimitPercent * total);
    if (exceeded.length > 0) {
      const what = exceeded
        .map(
          ({ side, deletes, total }) =>
            `${deletes} of ${total} ${side === "sharePoint" ? "SharePoint items" : "Confluence rows"}`,
        )
        .join(" and ");
      const reason: StopReason = {
        code: "MASS_DELETE_LIMIT",
        message:
          `profile "${rules.profileKey}": this run would delete ${what}, more than the limit of ` +
          `${rules.massDeleteLimitPercent}% (massDeleteLimitPercent); nothing was written. If the deletions are ` +
          `intended, raise the limit for one run; otherwise restore the deleted items or rows.`,
        limitPercent: rules.massDeleteLimitPercent,
        exceeded,
      };
      return { kind: "stopped", reason, decisions };
    }
    const byRow = <T extends { rowRef: number }>(list: T[]) => [...list].sort((a, b) => a.rowRef - b.rowRef);
    const byId = <T extends { sharePointId: string }>(list: T[]) =>
      [...list].sort((a, b) => compareItemIds(a.sharePointId, b.sharePointId));
    return {
      kind: "ready",
      sharePoint: { creates: byRow(this.creates), updates: byId(this.updates), deletes: byId(this.deletes) },
      confluence: {
        pageVersion,
        rowUpdates: byRow(this.rowUpdates),
        appends: byId(this.appends),
        removals: byRow(this.removals),
        keyWriteBacks: byRow(this.keyWriteBacks),
      },
      conflicts: [...this.conflicts],
      fieldErrors: [...this.fieldErrors],
      decisions,
      stateUpdates: [...this.stateUpdates],
      ...(this.settlements.length > 0 ? { settlements: [...this.settlements] } : {}),
      ...(this.deletionSettlements.length > 0 ? { deletionSettlements: [...this.deletionSettlements] } : {}),
    };
  }
}
