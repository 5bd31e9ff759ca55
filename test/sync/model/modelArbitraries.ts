import fc from "fast-check";
import type { ConflictPolicy, DeletePolicy, SyncDirection } from "../../../shared/config/profile";
import { syncRulesFromProfile, type SyncRules } from "../../../shared/sync";
import type { PersonEdit, TypedValue } from "./personEdits";
import type { CrashPoint, SyncFaults } from "./simulatedEngine";

export const MODEL_FIELDS = ["Title", "Status", "Owner"] as const;

/** A small value domain, so that people often type the same value (convergent edits) or the same natural key. */
const typedValue: fc.Arbitrary<TypedValue> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<TypedValue>(null, "a", "b", "c") },
  { weight: 1, arbitrary: fc.constant<TypedValue>({ unreadable: "abc" }) },
);
const values = fc.array(typedValue, { minLength: MODEL_FIELDS.length, maxLength: MODEL_FIELDS.length });
const pick = fc.nat({ max: 7 });
const field = fc.nat({ max: MODEL_FIELDS.length - 1 });

export const personEdit: fc.Arbitrary<PersonEdit> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("createItem" as const), values }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("editItem" as const), pick, field, value: typedValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteItem" as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("addRow" as const), at: pick, values }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("editCell" as const), pick, field, value: typedValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeRow" as const), pick }) },
);

export const syncFaults: fc.Arbitrary<SyncFaults> = fc
  .record({
    fullRead: fc.boolean(),
    failSharePointOps: fc.array(fc.record({ index: fc.nat({ max: 5 }), afterSuccess: fc.boolean() }), { maxLength: 2 }),
    // No lost page-update answers: the engine settles those by reading the page's version (its message carries the
    // run id) before it commits, so the outcome it commits is always known; a crash stands in for "cannot tell yet".
    confluence: fc.constantFrom("ok", "ok", "fail") as fc.Arbitrary<SyncFaults["confluence"]>,
    concurrentEdits: fc.array(personEdit, { maxLength: 2 }),
    crash: fc.constantFrom<CrashPoint>("none", "none", "afterSharePointWrites", "afterPhaseOne", "afterPageWrite", "midCommit"),
  })
  .map((faults) => {
    // The one window no planner can close: an item the sync created without learning it did (a crash between the
    // create and the next commit, or a lost create response) while people edit, in those same seconds, its row or
    // an item that then looks like it. Documented, not modelled: the retry follows at once, before anyone edits.
    const blind = faults.crash === "afterSharePointWrites" || faults.failSharePointOps.some((failure) => failure.afterSuccess);
    return blind ? { ...faults, concurrentEdits: [] } : faults;
  });

export type ModelStep = { readonly kind: "edit"; readonly edit: PersonEdit } | { readonly kind: "sync"; readonly faults: SyncFaults | null };

export const modelStep: fc.Arbitrary<ModelStep> = fc.oneof(
  { weight: 5, arbitrary: personEdit.map((edit): ModelStep => ({ kind: "edit", edit })) },
  { weight: 1, arbitrary: fc.constant<ModelStep>({ kind: "sync", faults: null }) },
  { weight: 1, arbitrary: syncFaults.map((faults): ModelStep => ({ kind: "sync", faults })) },
);

const direction = fc.constantFrom<SyncDirection>("both", "both", "both", "toConfluence", "toSharePoint");
const deletePolicy = fc.constantFrom<DeletePolicy>("keep", "delete");

/** Profiles across every direction, policy and delete setting, through the same derivation the engine uses. */
export const modelRules: fc.Arbitrary<SyncRules> = fc
  .record({
    direction,
    fieldDirections: fc.array(fc.option(direction, { nil: undefined }), { minLength: MODEL_FIELDS.length, maxLength: MODEL_FIELDS.length }),
    conflictPolicy: fc.constantFrom<ConflictPolicy>("flag", "sharepoint-wins", "confluence-wins", "newest-wins"),
    deletes: fc.record({ toConfluence: deletePolicy, toSharePoint: deletePolicy }),
    matchByTitle: fc.boolean(),
    massDeleteLimitPercent: fc.constantFrom(100, 100, 100, 20),
    storedValueMaxChars: fc.constantFrom(4000, 4000, 3),
  })
  .map((profile) =>
    syncRulesFromProfile(
      {
        key: "model",
        direction: profile.direction,
        fields: MODEL_FIELDS.map((name, index) => {
          const fieldDirection = profile.fieldDirections[index];
          return { sharePoint: name, confluence: name, ...(fieldDirection === undefined ? {} : { direction: fieldDirection }) };
        }),
        ...(profile.matchByTitle ? { matchBy: { sharePoint: "Title", confluence: "Title" } } : {}),
        conflictPolicy: profile.conflictPolicy,
        deletes: profile.deletes,
        massDeleteLimitPercent: profile.massDeleteLimitPercent,
      },
      { storedValueMaxChars: profile.storedValueMaxChars },
    ),
  );
