import { isDeepStrictEqual } from "node:util";
import {
  type ConflictRecord,
  type FieldKey,
  type FieldObservation,
  type FieldReading,
  fieldHash,
  flowsTo,
  type ItemRef,
  type ItemState,
  isQuietPlan,
  type Plan,
  type SyncRules,
} from "../../../shared/sync";
import type { EntityRef, PersonEvent } from "./personEdits";
import type { SnapshotRow, SyncRunRecord, WorldSnapshot } from "./syncRunRecord";

/** Thrown with a description of the broken invariant; fast-check prints it with the seed and the shrunk steps. */
export class InvariantViolation extends Error {}

type EntityKey = string;

const EMPTY = fieldHash(null);

const entityKey = (entity: EntityRef): EntityKey =>
  entity.side === "sharePoint" ? `sp:${entity.id}` : `cf:${entity.uid}`;

/**
 * The identity of a value for comparisons: its hash, or the kind of error that made it unreadable. Not the error's
 * message: the engine's names the row, which moves, and the sync compares no two unreadable values anyway.
 */
function valueKey(value: FieldReading | FieldObservation | undefined): string {
  if (value === undefined) return "(absent)";
  if (!value.ok) return `!${value.error.code}`;
  return value.hash ?? fieldHash(value.value);
}

/**
 * Which entities stem from the same originals: a person creates an original; the sync joins an entity to the one it
 * was created from, appended for, or linked to by a key write-back.
 */
class Lineage {
  readonly #parent = new Map<EntityKey, EntityKey>();
  readonly #originals = new Map<EntityKey, number>();

  original(key: EntityKey): void {
    this.#originals.set(key, 1);
  }

  root(key: EntityKey): EntityKey {
    let current = key;
    for (
      let parent = this.#parent.get(current);
      parent !== undefined && parent !== current;
      parent = this.#parent.get(current)
    ) {
      current = parent;
    }
    return current;
  }

  /** How many originals the entity's family stems from. */
  originals(key: EntityKey): number {
    return this.#originals.get(this.root(key)) ?? 0;
  }

  join(a: EntityKey, b: EntityKey): void {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return;
    this.#parent.set(ra, rb);
    this.#originals.set(rb, (this.#originals.get(ra) ?? 0) + (this.#originals.get(rb) ?? 0));
  }
}

/**
 * Follows people's edits and the sync's runs, and checks the invariants of docs/design.md §3.1 after each run:
 * 1 no lost update (a pending edit is only ever overwritten or deleted by the sync if a conflict recorded it),
 * 2 convergence and quiet (see {@link quiescent}), 3 echo-free (a run with nothing to do plans nothing),
 * 4 exactly-once (no item or row has a twin descended from the same original), 7 safe deletes (policy and limit),
 * 8 honest dry run (the dry-run plan equals the real one).
 * Generic over the world: it sees only person events, run records and snapshots.
 */
export class SyncInvariants {
  /** Edits not yet on the other side: entity → field → the value typed. */
  readonly #pending = new Map<EntityKey, Map<FieldKey, FieldReading>>();
  /**
   * Per entity and field: the value both sides last held in common (the base; typing it again is a revert, which a
   * three-way merge cannot tell from no edit) and what the counterpart last held (typing that is nothing to send).
   */
  readonly #agreed = new Map<EntityKey, Map<FieldKey, string>>();
  readonly #counterpartLast = new Map<EntityKey, Map<FieldKey, string>>();
  /** `entity|field|value` held by a recorded conflict. */
  readonly #held = new Set<string>();
  readonly #lineage = new Lineage();
  /** `entity|field` that appeared in a recorded open (flagged) conflict or a delete-vs-edit conflict. */
  readonly #contested = new Set<string>();

  constructor(private readonly rules: SyncRules) {}

  person(event: PersonEvent): void {
    const key = entityKey(event.entity);
    switch (event.kind) {
      case "created": {
        this.#lineage.original(key);
        const fields = new Map<FieldKey, FieldReading>();
        for (const [field, value] of Object.entries(event.values)) {
          if (!value.ok || value.value !== null) fields.set(field, value);
        }
        this.#pending.set(key, fields);
        return;
      }
      case "edited": {
        if (valueKey(event.value) === valueKey(event.previous)) return;
        const fields = this.#pending.get(key) ?? new Map<FieldKey, FieldReading>();
        const typed = valueKey(event.value);
        if (
          this.#agreed.get(key)?.get(event.field) === typed ||
          this.#counterpartLast.get(key)?.get(event.field) === typed
        ) {
          fields.delete(event.field);
        } else fields.set(event.field, event.value);
        this.#pending.set(key, fields);
        return;
      }
      case "deleted":
        // A person's deletion: their call, and the delete-vs-edit rules cover what the other side still holds.
        this.#pending.delete(key);
        return;
    }
  }

  sync(record: SyncRunRecord, after: WorldSnapshot): void {
    if (!isDeepStrictEqual(record.dryRunPlan, record.plan)) {
      throw new InvariantViolation("dry run: its plan differs from the real run's plan over the same reads");
    }
    const pairedBefore = new Set(
      [...this.#agreed].flatMap(([entity, fields]) => [...fields.keys()].map((field) => `${entity}|${field}`)),
    );
    for (const { sharePointId, fromRow } of record.created) this.#lineage.join(`sp:${sharePointId}`, `cf:${fromRow}`);
    for (const { sharePointId, row } of record.linked) this.#lineage.join(`sp:${sharePointId}`, `cf:${row}`);
    if (record.plan.kind === "ready") {
      // The run paired these, applied or not: what they held in common when read was agreed then.
      for (const { rowRef, key } of record.plan.confluence.keyWriteBacks) {
        const row = record.rowUids[rowRef];
        if (key.kind === "existing" && row !== undefined) this.#lineage.join(`sp:${key.sharePointId}`, `cf:${row}`);
      }
    }
    // Values both sides already held when the run read them were agreed then, whatever people did next.
    this.#settlePending(record.readSnapshot, pairedBefore, false);
    for (const event of record.concurrentEvents) this.person(event);
    const { plan } = record;
    if (plan.kind === "ready") {
      for (const conflict of plan.conflicts) this.#hold(conflict, record.rowUids);
      this.#checkDeletes(plan, record);
      this.#checkDirections(plan);
    } else if (plan.kind === "stopped" && plan.reason.code === "MASS_DELETE_LIMIT") {
      for (const { deletes, total } of plan.reason.exceeded) {
        if (!(deletes * 100 > this.rules.massDeleteLimitPercent * total)) {
          throw new InvariantViolation(`safe deletes: stopped for ${deletes} of ${total}, which is within the limit`);
        }
      }
    }
    if (plan.kind === "ready") this.#agreeOnWrites(plan, record, after);
    this.#settlePending(after, pairedBefore, true);
    this.#checkExactlyOnce(after);
  }

  /**
   * Convergence and quiet, after a fault-free run with no edits since: the next plan writes nothing, paired items
   * and rows agree field by field except where an open conflict or an unreadable value says why, every edit still
   * pending is excused by a conflict, a field error or a reported reason, and every item/row without a partner is
   * accounted for by the state or the report.
   */
  quiescent(record: SyncRunRecord, next: Plan, after: WorldSnapshot, state: ReadonlyMap<string, ItemState>): void {
    const last = record.plan;
    if (last.kind === "stopped") {
      if (next.kind !== "stopped")
        throw new InvariantViolation("quiet: a stopped run's situation changed without edits");
      return;
    }
    if (last.kind !== "ready") throw new InvariantViolation("quiet: the last run still needed reads");
    if (!isQuietPlan(next)) {
      throw new InvariantViolation(
        `quiet: the plan after a complete run is not empty: ${JSON.stringify(summarise(next))}`,
      );
    }
    const entityOf = (item: ItemRef, side: "sharePoint" | "confluence"): EntityKey | null => {
      if (side === "confluence" && item.rowRef !== null) return `cf:${record.rowUids[item.rowRef]}`;
      if (side === "confluence" && item.sharePointId !== null) {
        const row = after.rows.find((candidate) => candidate.key === item.sharePointId);
        return row === undefined ? null : `cf:${row.uid}`;
      }
      return item.sharePointId === null ? null : `sp:${item.sharePointId}`;
    };
    const skipped = new Set<EntityKey>();
    for (const decision of last.decisions) {
      if (decision.action.kind !== "skip") continue;
      for (const side of ["sharePoint", "confluence"] as const) {
        const entity = entityOf(decision.item, side);
        if (entity !== null) skipped.add(entity);
      }
    }
    const unreadable = new Set(last.fieldErrors.map((error) => `${entityOf(error.item, error.side)}|${error.field}`));
    const flagged = new Set(
      last.conflicts.flatMap((conflict) =>
        conflict.kind === "field" && conflict.resolution.kind === "flagged"
          ? [`${conflict.item.sharePointId}|${conflict.field}`]
          : [],
      ),
    );

    const partnerOf = this.#partners(after);
    for (const [entity, fields] of this.#pending) {
      const partner = partnerOf(entity);
      for (const [field, value] of fields) {
        const excused =
          this.#held.has(`${entity}|${field}|${valueKey(value)}`) ||
          unreadable.has(`${entity}|${field}`) ||
          (partner !== null && unreadable.has(`${partner}|${field}`)) ||
          skipped.has(entity) ||
          (partner === null && !this.#canReachOtherSide(entity));
        if (!excused) {
          throw new InvariantViolation(
            `no lost update: the edit ${field}=${valueKey(value)} on ${entity} reached neither the other side nor a conflict (partner ${partner ?? "none"})`,
          );
        }
      }
    }

    for (const [id, fields] of after.items) {
      const row = after.rows.find((candidate) => candidate.key === id);
      if (row === undefined) {
        const status = state.get(id)?.status;
        const accounted =
          status === "deletedInConfluence" ||
          (status === "awaitingRow" && (skipped.has(`sp:${id}`) || !this.#canReachOtherSide(`sp:${id}`)));
        if (!accounted)
          throw new InvariantViolation(`convergence: item ${id} has no row and no reason (state ${status ?? "none"})`);
        continue;
      }
      for (const rule of this.rules.fields) {
        const same = valueKey(fields[rule.key]) === valueKey(row.cells[rule.key]);
        const why =
          flagged.has(`${id}|${rule.key}`) ||
          unreadable.has(`sp:${id}|${rule.key}`) ||
          unreadable.has(`cf:${row.uid}|${rule.key}`);
        if (!same && !why) {
          throw new InvariantViolation(
            `convergence: item ${id} field ${rule.key} is ${valueKey(fields[rule.key])} in SharePoint but ${valueKey(row.cells[rule.key])} in Confluence`,
          );
        }
      }
    }
    for (const row of after.rows) {
      if (row.key === null) {
        if (!skipped.has(`cf:${row.uid}`) && this.#canReachOtherSide(`cf:${row.uid}`)) {
          throw new InvariantViolation(`convergence: row ${row.uid} has no key and no reason`);
        }
      } else if (!after.items.has(row.key) && state.get(row.key)?.status !== "deletedInSharePoint") {
        throw new InvariantViolation(
          `convergence: row ${row.uid} names item ${row.key}, which is gone, and the state does not know`,
        );
      }
    }
  }

  /**
   * The entity's counterpart on the other side: the live one descended from the same original (created from it,
   * appended for it, or linked to it by a key write-back), whether or not the link is in the key column yet.
   */
  #partners(world: WorldSnapshot): (entity: EntityKey) => EntityKey | null {
    const byRoot = new Map<string, EntityKey>();
    const live = [...[...world.items.keys()].map((id) => `sp:${id}`), ...world.rows.map((row) => `cf:${row.uid}`)];
    for (const entity of live) byRoot.set(`${entity.slice(0, 3)}${this.#lineage.root(entity)}`, entity);
    const rowByKey = new Map(
      world.rows.flatMap((row) => (row.key === null ? [] : [[row.key, `cf:${row.uid}`] as const])),
    );
    const keyOfRow = new Map(world.rows.map((row) => [`cf:${row.uid}`, row.key]));
    return (entity) => {
      // The link in the key column first; the family link for pairs whose key write-back is still missing.
      if (entity.startsWith("sp:")) {
        const row = rowByKey.get(entity.slice(3));
        if (row !== undefined) return row;
      } else {
        const key = keyOfRow.get(entity) ?? null;
        if (key !== null && world.items.has(key)) return `sp:${key}`;
      }
      return byRoot.get(`${entity.startsWith("sp:") ? "cf:" : "sp:"}${this.#lineage.root(entity)}`) ?? null;
    };
  }

  /**
   * A value the sync wrote (and that landed) is the new base: for the entity written, and for its counterpart if
   * that held the value when the run read it (the value came from there).
   */
  #agreeOnWrites(plan: Extract<Plan, { kind: "ready" }>, record: SyncRunRecord, after: WorldSnapshot): void {
    const rowsByUid = new Map(after.rows.map((row) => [row.uid, row]));
    const readRowsByUid = new Map(record.readSnapshot.rows.map((row) => [row.uid, row]));
    const partnerOf = this.#partners(after);
    const setAgreed = (entity: EntityKey, field: FieldKey, value: string) => {
      const agreed = this.#agreed.get(entity) ?? new Map<FieldKey, string>();
      agreed.set(field, value);
      this.#agreed.set(entity, agreed);
    };
    const agree = (entity: EntityKey, cells: Readonly<Record<FieldKey, unknown>>) => {
      const values = valuesOf(entity, after, rowsByUid);
      if (values === undefined) return;
      const partner = partnerOf(entity);
      const partnerRead = partner === null ? undefined : valuesOf(partner, record.readSnapshot, readRowsByUid);
      for (const [field, value] of Object.entries(cells)) {
        const written = fieldHash(value as never);
        if (valueKey(values[field]) !== written) continue; // someone changed it since
        setAgreed(entity, field, written);
        if (partner !== null && valueKey(partnerRead?.[field]) === written) setAgreed(partner, field, written);
      }
    };
    const { applied } = record;
    for (const update of plan.sharePoint.updates) {
      if (applied.sharePointItems.get(update.sharePointId)?.ok === true)
        agree(`sp:${update.sharePointId}`, update.fields);
    }
    for (const create of plan.sharePoint.creates) {
      const item = record.created.find((created) => created.fromRow === record.rowUids[create.rowRef]);
      // A new item holds what was sent and nothing else: the fields left out are empty.
      const sent = Object.fromEntries(this.rules.fields.map((rule) => [rule.key, create.fields[rule.key] ?? null]));
      if (item !== undefined) agree(`sp:${item.sharePointId}`, sent);
    }
    if (!applied.pageWritten) return;
    for (const update of plan.confluence.rowUpdates) agree(`cf:${record.rowUids[update.rowRef]}`, update.cells);
    for (const append of plan.confluence.appends) {
      const row = after.rows.find((candidate) => candidate.key === append.sharePointId);
      if (row !== undefined) agree(`cf:${row.uid}`, append.cells);
    }
  }

  /** Whether the profile creates counterparts for new entities of this side at all. */
  #canReachOtherSide(entity: EntityKey): boolean {
    const to = entity.startsWith("sp:") ? "confluence" : "sharePoint";
    return flowsTo(this.rules.itemDirection, to) && this.rules.fields.some((rule) => flowsTo(rule.direction, to));
  }

  #hold(conflict: ConflictRecord, rowUids: readonly string[]): void {
    const { item } = conflict;
    const row = item.rowRef === null ? null : `cf:${rowUids[item.rowRef]}`;
    const sp = item.sharePointId === null ? null : `sp:${item.sharePointId}`;
    if (conflict.kind === "field") {
      for (const [entity, hash] of [
        [sp, conflict.sharePoint.hash],
        [row, conflict.confluence.hash],
      ] as const) {
        if (entity === null) continue;
        this.#held.add(`${entity}|${conflict.field}|${hash}`);
        // An open dispute makes an empty value a claim, not a blank; a resolved one leaves nothing disputed.
        if (conflict.resolution.kind === "flagged") this.#contested.add(`${entity}|${conflict.field}`);
      }
      return;
    }
    const survivor = conflict.deletedIn === "sharePoint" ? row : sp;
    if (survivor === null) return;
    for (const edit of conflict.edits) {
      this.#held.add(`${survivor}|${edit.field}|${valueKey(edit.value)}`);
      this.#contested.add(`${survivor}|${edit.field}`);
    }
  }

  /** Nothing is ever written against a field's (or the profile's) direction. */
  #checkDirections(plan: Extract<Plan, { kind: "ready" }>): void {
    const directionOf = new Map(this.rules.fields.map((rule) => [rule.key, rule.direction]));
    const against = (
      side: "sharePoint" | "confluence",
      fields: Readonly<Record<FieldKey, unknown>>,
      allowEmpty: boolean,
    ) =>
      Object.entries(fields).filter(([key, value]) => {
        const direction = directionOf.get(key);
        return direction === undefined || (!flowsTo(direction, side) && !(allowEmpty && value === null));
      });
    const { sharePoint, confluence } = plan;
    const violations = [
      ...[...sharePoint.updates, ...sharePoint.creates].flatMap((write) => against("sharePoint", write.fields, false)),
      ...confluence.rowUpdates.flatMap((write) => against("confluence", write.cells, false)),
      // An appended row has every cell; those of fields that do not flow to Confluence stay empty.
      ...confluence.appends.flatMap((write) => against("confluence", write.cells, true)),
    ];
    if (violations.length > 0)
      throw new InvariantViolation(`direction: wrote ${JSON.stringify(violations)} against the field's direction`);
    if (!flowsTo(this.rules.itemDirection, "sharePoint") && sharePoint.creates.length > 0) {
      throw new InvariantViolation(
        "direction: created items in SharePoint although the profile does not sync toward it",
      );
    }
    if (!flowsTo(this.rules.itemDirection, "confluence") && confluence.appends.length > 0) {
      throw new InvariantViolation("direction: appended rows although the profile does not sync toward Confluence");
    }
  }

  #checkDeletes(plan: Extract<Plan, { kind: "ready" }>, record: SyncRunRecord): void {
    const { deletes, massDeleteLimitPercent: limit } = this.rules;
    // A person who took the deletion of a delete-vs-edit conflict asked for that one, whatever the policy.
    const taken = new Set(
      (plan.deletionSettlements ?? []).filter((d) => d.kind === "applied").map((d) => d.item.sharePointId),
    );
    const byPolicy = <T extends { sharePointId: string }>(list: readonly T[]) =>
      list.filter((write) => !taken.has(write.sharePointId));
    if (deletes.toSharePoint === "keep" && byPolicy(plan.sharePoint.deletes).length > 0) {
      throw new InvariantViolation("safe deletes: SharePoint items deleted although the policy keeps them");
    }
    if (deletes.toConfluence === "keep" && byPolicy(plan.confluence.removals).length > 0) {
      throw new InvariantViolation("safe deletes: rows removed although the policy keeps them");
    }
    if (plan.sharePoint.deletes.length * 100 > limit * record.totalsAtRead.sharePoint) {
      throw new InvariantViolation(
        `safe deletes: ${plan.sharePoint.deletes.length} of ${record.totalsAtRead.sharePoint} items deleted, over ${limit}%`,
      );
    }
    if (plan.confluence.removals.length * 100 > limit * record.totalsAtRead.confluence) {
      throw new InvariantViolation(
        `safe deletes: ${plan.confluence.removals.length} of ${record.totalsAtRead.confluence} rows removed, over ${limit}%`,
      );
    }
  }

  /**
   * Drops the pending edits the other side holds too (propagated). With `judge`, also checks the ones the sync
   * overwrote or deleted: allowed only when a conflict recorded them.
   */
  #settlePending(after: WorldSnapshot, pairedBefore: ReadonlySet<string>, judge: boolean): void {
    const rowsByUid = new Map(after.rows.map((row) => [row.uid, row]));
    const partnerOf = this.#partners(after);
    // What a run read is what its plan knew: agreement seen there is the merge base. (Two sides that happen to meet
    // through edits made while the run was writing were never seen agreeing, so that is no base.)
    for (const id of judge ? [] : after.items.keys()) {
      const item = `sp:${id}`;
      const row = partnerOf(item);
      if (row === null) continue;
      for (const [entity, counterpart] of [
        [item, row],
        [row, item],
      ] as const) {
        const own = valuesOf(entity, after, rowsByUid) ?? {};
        const theirs = valuesOf(counterpart, after, rowsByUid) ?? {};
        const agreed = this.#agreed.get(entity) ?? new Map<FieldKey, string>();
        const last = new Map<FieldKey, string>();
        for (const [field, value] of Object.entries(theirs)) {
          last.set(field, valueKey(value));
          // Unreadable values agree on nothing: the sync cannot compare them.
          if (value.ok && valueKey(value) === valueKey(own[field])) agreed.set(field, valueKey(value));
        }
        this.#agreed.set(entity, agreed);
        this.#counterpartLast.set(entity, last);
      }
    }
    for (const [entity, fields] of [...this.#pending]) {
      const current = valuesOf(entity, after, rowsByUid);
      if (current === undefined) {
        if (!judge) continue;
        for (const [field, value] of fields) {
          if (!this.#held.has(`${entity}|${field}|${valueKey(value)}`)) {
            throw new InvariantViolation(
              `no lost update / safe deletes: the sync deleted ${entity} holding the edit ${field}=${valueKey(value)}`,
            );
          }
        }
        this.#pending.delete(entity);
        continue;
      }
      const partner = partnerOf(entity);
      const partnerValues = partner === null ? undefined : valuesOf(partner, after, rowsByUid);
      for (const [field, value] of [...fields]) {
        const key = valueKey(value);
        if (valueKey(current[field]) !== key) {
          if (!judge) continue;
          // A first pairing fills empty fields from the other side: an empty field that never agreed with its
          // counterpart, and was never part of a conflict, is a blank, not an edit.
          const blank =
            key === EMPTY && !pairedBefore.has(`${entity}|${field}`) && !this.#contested.has(`${entity}|${field}`);
          if (blank) {
            fields.delete(field);
            continue;
          }
          if (!this.#held.has(`${entity}|${field}|${key}`)) {
            throw new InvariantViolation(
              `no lost update: the sync overwrote the edit ${field}=${key} on ${entity} with ${valueKey(current[field])} and recorded no conflict`,
            );
          }
          fields.delete(field);
        } else if (partnerValues !== undefined && valueKey(partnerValues[field]) === key) {
          fields.delete(field);
        }
      }
      if (fields.size === 0) this.#pending.delete(entity);
    }
  }

  /**
   * A family may hold at most as many live items, and as many live rows, as the originals it stems from. Which of
   * two indistinguishable new rows an item ends up linked to is not observable, so the check counts, not names.
   */
  #checkExactlyOnce(after: WorldSnapshot): void {
    const counts = new Map<string, number>();
    const live = [...[...after.items.keys()].map((id) => `sp:${id}`), ...after.rows.map((row) => `cf:${row.uid}`)];
    for (const entity of live) {
      const family = `${entity.slice(0, 3)}${this.#lineage.root(entity)}`;
      const count = (counts.get(family) ?? 0) + 1;
      counts.set(family, count);
      if (count > this.#lineage.originals(entity)) {
        throw new InvariantViolation(
          `exactly-once: ${entity} makes ${count} live ${entity.startsWith("sp:") ? "items" : "rows"} in a family of ${this.#lineage.originals(entity)} original(s)`,
        );
      }
    }
  }
}

function valuesOf(
  entity: EntityKey,
  world: WorldSnapshot,
  rowsByUid: ReadonlyMap<string, SnapshotRow>,
): Readonly<Record<FieldKey, FieldReading>> | undefined {
  return entity.startsWith("sp:") ? world.items.get(entity.slice(3)) : rowsByUid.get(entity.slice(3))?.cells;
}

function summarise(plan: Plan): unknown {
  if (plan.kind !== "ready") return plan;
  return {
    sharePoint: plan.sharePoint,
    confluence: plan.confluence,
    stateUpdates: plan.stateUpdates.map((u) => [u.target, u.change.kind]),
  };
}
