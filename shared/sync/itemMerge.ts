import type { CanonicalValue } from "./canonicalValue";
import { settledFieldStateChange, settleField } from "./conflictSettlement";
import { type FieldKey, fieldEntry } from "./fieldKey";
import { fieldStateChange } from "./fieldStateChange";
import { type FieldObservation, type FieldSnapshot, knownValue, observe, snapshotOf } from "./fieldValue";
import type { ItemState, PairStatus, RowOrigin } from "./itemState";
import { type FieldMerge, fieldWritesOf, mergeField } from "./mergeField";
import type {
  CreateRef,
  FieldStateChange,
  ItemAction,
  ItemRef,
  ItemStateUpdate,
  KeyWriteBack,
  SettlementDecision,
  WriteRequirement,
} from "./plan";
import type { PlanAccumulator } from "./planAccumulator";
import type {
  ConfluenceRowReading,
  DeletionSettlement,
  FieldSettlement,
  RowRef,
  SharePointItemReading,
} from "./syncInput";
import type { FieldRule, SyncRules } from "./syncRules";

/** What every step of one planning run shares. Internal to the planner. */
export interface PlanContext {
  readonly rules: SyncRules;
  readonly runAt: string;
  /** When a person last edited the page, for newest-wins. */
  readonly pageEditedAt: string;
  readonly acc: PlanAccumulator;
  /** The settlements people made, by `settlementKey` (none when absent). */
  readonly settlements?: ReadonlyMap<string, FieldSettlement>;
  /** The delete-vs-edit conflicts people settled by taking the deletion, by SharePoint id (none when absent). */
  readonly deletionSettlements?: ReadonlyMap<string, DeletionSettlement>;
}

/** Where a settlement is filed in `PlanContext.settlements`. */
export function settlementKey(sharePointId: string, field: FieldKey): string {
  return JSON.stringify([sharePointId, field]);
}

/** An empty cell or column: the other side of an item that does not exist yet (a create or an append). */
export const EMPTY_OBSERVATION: FieldObservation = { ok: true, ...knownValue(null) };

function notRead(side: string, key: FieldKey): FieldObservation {
  return {
    ok: false,
    error: { code: "FIELD_NOT_READ", message: `the ${side} reading has no value for field "${key}"` },
  };
}

export function cellObservation(row: ConfluenceRowReading, key: FieldKey): FieldObservation {
  const reading = fieldEntry(row.cells, key);
  return reading === undefined ? notRead("Confluence row", key) : observe(reading);
}

/**
 * SharePoint's current value of a field: read this run when the item is in the delta, else as last read (the
 * stored observation, or the base when SharePoint was at the base). `undefined` = not known without a read.
 */
export function sharePointObservation(
  key: FieldKey,
  reading: SharePointItemReading | null,
  stored: ItemState | null,
): FieldObservation | undefined {
  if (reading !== null) {
    const value = fieldEntry(reading.fields, key);
    return value === undefined ? notRead("SharePoint item", key) : observe(value);
  }
  const field = stored === null ? undefined : fieldEntry(stored.fields, key);
  if (field === undefined) return undefined;
  if (field.sharePoint !== undefined) return field.sharePoint;
  return field.base === null ? undefined : { ok: true, ...field.base };
}

/** Builds a record from entries without assignment (a field key is data and may be `__proto__`). */
export function recordOf<T>(entries: readonly (readonly [FieldKey, T])[]): Record<FieldKey, T> {
  return Object.fromEntries(entries);
}

/** One item to merge field by field: an existing pair, a pair just found, a row to create, an item to append. */
export interface MergeSpec {
  readonly item: ItemRef;
  readonly action: ItemAction;
  readonly target: ItemStateUpdate["target"];
  readonly before: ItemState | null;
  /** The merge base of a field; `null` = none (first pairing, or the side that does not exist yet). */
  readonly base: (key: FieldKey) => FieldSnapshot | null;
  /** Whether a field without a base is already in an open first-pairing conflict. */
  readonly disputed: (key: FieldKey) => boolean;
  readonly sharePoint: (key: FieldKey) => FieldObservation | undefined;
  readonly confluence: (key: FieldKey) => FieldObservation;
  readonly sharePointModifiedAt: string | null;
  readonly sharePointETag: string | null;
  /** When a person last edited this row (its page, in pages mode); absent = the page's time. */
  readonly confluenceModifiedAt?: string | undefined;
  /** Where values bound for SharePoint go. */
  readonly sharePointWrite:
    | { readonly kind: "update"; readonly sharePointId: string }
    | { readonly kind: "create"; readonly createRef: CreateRef; readonly rowRef: RowRef };
  /** Where values bound for Confluence go. */
  readonly confluenceWrite:
    | { readonly kind: "row"; readonly rowRef: RowRef; readonly afterCreate: CreateRef | null }
    | { readonly kind: "append"; readonly sharePointId: string };
  readonly keyWriteBack: KeyWriteBack | null;
  readonly status: PairStatus;
  readonly pairRequires: readonly WriteRequirement[];
  readonly statusIfPairFailed: PairStatus | null;
  readonly awaitedRow: RowOrigin | null;
}

interface MergedField {
  readonly rule: FieldRule;
  readonly base: FieldSnapshot | null;
  readonly merge: FieldMerge;
  readonly change: FieldStateChange;
}

/**
 * Merges every field of one item and adds the resulting writes, reports, decision and state update to the plan.
 * Asks for a read of the item instead when something needed is only known by hash (or not at all).
 */
export function planItemMerge(ctx: PlanContext, spec: MergeSpec): void {
  const { rules, acc } = ctx;
  const readId = spec.item.sharePointId;
  const merged: MergedField[] = [];
  const settled: SettlementDecision[] = [];
  const needRead = (): void => {
    // Only stored SharePoint values can be missing, so the item exists and has an id to read.
    if (readId !== null) acc.needRead(readId);
  };
  for (const rule of rules.fields) {
    const sharePoint = spec.sharePoint(rule.key);
    if (sharePoint === undefined) {
      needRead();
      return;
    }
    const base = spec.base(rule.key);
    const confluence = spec.confluence(rule.key);
    const settlement = settlementOf(ctx, spec, rule.key);
    if (settlement !== undefined) {
      const step = settleField(settlement, sharePoint, confluence, rule.direction);
      if (step.kind === "valueUnavailable") {
        needRead();
        return;
      }
      if (step.kind === "apply") {
        const { merge } = step;
        settled.push({
          kind: "applied",
          id: settlement.id,
          item: spec.item,
          field: rule.key,
          value: merge.value,
          writes: merge.writes.map((write) => write.to),
        });
        const change = settledFieldStateChange(
          merge,
          base,
          sharePoint,
          spec.disputed(rule.key),
          rules.storedValueMaxChars,
        );
        merged.push({ rule, base, merge, change });
        continue;
      }
      settled.push({
        kind: "stale",
        id: settlement.id,
        item: spec.item,
        field: rule.key,
        reason: step.reason,
        sharePoint: sharePoint.ok ? snapshotOf(sharePoint) : null,
        confluence: confluence.ok ? snapshotOf(confluence) : null,
      });
    }
    const merge = mergeField(base, sharePoint, confluence, {
      direction: rule.direction,
      conflictPolicy: rules.conflictPolicy,
      sharePointModifiedAt: spec.sharePointModifiedAt,
      confluenceModifiedAt: spec.confluenceModifiedAt ?? ctx.pageEditedAt,
      disputed: spec.disputed(rule.key),
    });
    if (merge.kind === "valueUnavailable") {
      needRead();
      return;
    }
    merged.push({ rule, base, merge, change: fieldStateChange(merge, base, sharePoint, rules.storedValueMaxChars) });
  }

  const bound = (side: "sharePoint" | "confluence"): [FieldKey, CanonicalValue][] =>
    merged.flatMap(({ rule, merge }) =>
      fieldWritesOf(merge)
        .filter((write) => write.to === side)
        .map((write) => [rule.key, write.value.value] as [FieldKey, CanonicalValue]),
    );
  const toSharePoint = bound("sharePoint");
  const toConfluence = bound("confluence");

  const sharePointWrite = spec.sharePointWrite;
  if (sharePointWrite.kind === "update" && toSharePoint.length > 0 && spec.sharePointETag === null) {
    // Never update an item blind: without its eTag an edit we have not seen could be overwritten.
    acc.needRead(sharePointWrite.sharePointId);
    return;
  }
  if (sharePointWrite.kind === "create") {
    acc.creates.push({
      createRef: sharePointWrite.createRef,
      rowRef: sharePointWrite.rowRef,
      fields: recordOf(toSharePoint),
    });
  } else if (toSharePoint.length > 0 && spec.sharePointETag !== null) {
    acc.updates.push({
      sharePointId: sharePointWrite.sharePointId,
      ifMatch: spec.sharePointETag,
      fields: recordOf(toSharePoint),
    });
  }

  const confluenceWrite = spec.confluenceWrite;
  if (confluenceWrite.kind === "append") {
    const cells = new Map(toConfluence);
    acc.appends.push({
      sharePointId: confluenceWrite.sharePointId,
      cells: recordOf(rules.fields.map((rule) => [rule.key, cells.get(rule.key) ?? null])),
    });
  } else if (toConfluence.length > 0) {
    acc.rowUpdates.push({
      rowRef: confluenceWrite.rowRef,
      sharePointId: spec.item.sharePointId,
      afterCreate: confluenceWrite.afterCreate,
      cells: recordOf(toConfluence),
    });
  }
  if (spec.keyWriteBack !== null) acc.keyWriteBacks.push(spec.keyWriteBack);
  acc.settlements.push(...settled);

  for (const { rule, base, merge } of merged) {
    if (merge.kind === "conflict") {
      const { cause, sharePoint, confluence, resolution } = merge;
      acc.conflicts.push({
        kind: "field",
        item: spec.item,
        field: rule.key,
        cause,
        base,
        sharePoint,
        confluence,
        resolution,
      });
    } else if (merge.kind === "invalid") {
      for (const { side, error } of merge.errors)
        acc.fieldErrors.push({ item: spec.item, field: rule.key, side, error });
    }
  }

  acc.addStateUpdate({
    target: spec.target,
    before: spec.before,
    change: {
      kind: "put",
      status: spec.status,
      pairRequires: spec.pairRequires,
      statusIfPairFailed: spec.statusIfPairFailed,
      sharePointETag: spec.sharePointETag,
      sharePointModifiedAt: spec.sharePointModifiedAt,
      fields: recordOf(merged.map(({ rule, change }) => [rule.key, change])),
      awaitedRow: spec.awaitedRow,
      lastSyncedAt: ctx.runAt,
    },
  });

  const fields = merged
    .filter(({ merge }) => merge.kind !== "noop")
    .map(({ rule, merge }) => ({ field: rule.key, merge }));
  if (spec.action.kind !== "update" || fields.length > 0)
    acc.decisions.push({ item: spec.item, action: spec.action, fields });
}

/** A settlement of this field of an existing pair, if a person made one (items and rows still to be created have none). */
function settlementOf(ctx: PlanContext, spec: MergeSpec, key: FieldKey): FieldSettlement | undefined {
  const id = spec.item.sharePointId;
  if (ctx.settlements === undefined || id === null) return undefined;
  if (spec.sharePointWrite.kind !== "update" || spec.confluenceWrite.kind !== "row") return undefined;
  return ctx.settlements.get(settlementKey(id, key));
}
