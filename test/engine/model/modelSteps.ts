import fc from "fast-check";
import { personEditArbitrary } from "../../sync/model/modelArbitraries";
import type { PersonEdit } from "../../sync/model/personEdits";
import type { PairEdit } from "./emulatedWorld";
import type { Crash, CrashPoint } from "./engineProbe";
import { type FieldInput, fieldInput, MODEL_FIELDS } from "./modelFields";

/** Which calls of the engine an injected HTTP fault hits. */
export type FaultTarget =
  /** `$batch` sub-requests: item creates (POST), updates (PATCH …/fields), deletes (DELETE). */
  | "create"
  | "update"
  | "delete"
  /** The delta read of the list. */
  | "delta"
  /** The page read (also the engine's look-up of a version after a 409) and the page update. */
  | "pageRead"
  | "pageWrite";

/**
 * An HTTP fault the emulators inject: `status` for the next `times` matching calls (`-1`: until the run ends). A
 * `Retry-After` of 0 is honoured inside the call; 1 s is more than the model's clients wait in a call
 * (`maxRetryAfterMs`), so the call fails and Durable retries the activity, or the write is left for the next run.
 */
export interface HttpFault {
  readonly target: FaultTarget;
  readonly status: 429 | 503;
  readonly retryAfter: 0 | 1;
  readonly times: 1 | 2 | -1;
}

/** Everything that goes wrong in one sync run. */
export interface EngineFaults {
  readonly http: readonly HttpFault[];
  /** Every delta token answers 410: the run reads the whole list again. */
  readonly deltaExpired: boolean;
  /**
   * People's edits between the engine's read and its writes (inside the run, before its first write): a row edited
   * in Confluence makes the page update answer 409, an item edited in SharePoint makes its update answer 412.
   */
  readonly concurrentEdits: readonly PersonEdit<FieldInput>[];
  /** Crashes at distinct points of the run. */
  readonly crashes: readonly Crash[];
}

/** A value for every field, as typed into a new item or row. */
const fieldValues: fc.Arbitrary<readonly FieldInput[]> = fc.tuple(...MODEL_FIELDS.map((_, field) => fieldInput(field)));

export const modelPersonEdit: fc.Arbitrary<PersonEdit<FieldInput>> = personEditArbitrary(
  MODEL_FIELDS.length,
  fieldInput,
);

/** Both tools' people typing into one field of one item. */
export const modelPairEdit: fc.Arbitrary<PairEdit> = fc
  .tuple(fc.nat({ max: 7 }), fc.nat({ max: MODEL_FIELDS.length - 1 }))
  .chain(([pick, field]) =>
    fc.record({
      pick: fc.constant(pick),
      field: fc.constant(field),
      sharePoint: fieldInput(field),
      confluence: fieldInput(field),
    }),
  );

const httpFault: fc.Arbitrary<HttpFault> = fc.record({
  target: fc.constantFrom<FaultTarget>("create", "update", "delete", "delta", "pageRead", "pageWrite"),
  status: fc.constantFrom<HttpFault["status"]>(429, 503),
  retryAfter: fc.constantFrom<HttpFault["retryAfter"]>(0, 0, 1),
  times: fc.constantFrom<HttpFault["times"]>(1, 1, 2, -1),
});

/**
 * Crash points, weighted toward those only a run with writes reaches (a batch, the page update), which are also the
 * ones exactly-once hinges on: most faulted runs do not write much.
 */
const crashPoint: fc.Arbitrary<CrashPoint> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<CrashPoint>("batchOutcome") },
  { weight: 3, arbitrary: fc.constant<CrashPoint>("pageOutcome") },
  { weight: 3, arbitrary: fc.constantFrom<CrashPoint>("phaseOne", "beforeCommit", "afterCursorSave") },
  { weight: 1, arbitrary: fc.constantFrom<CrashPoint>("cursorSave", "afterRunRecord") },
);

const crashes: fc.Arbitrary<readonly Crash[]> = fc.uniqueArray(
  fc.record({ point: crashPoint, times: fc.constantFrom<Crash["times"]>(1, 1, 3) }),
  { maxLength: 3, selector: (crash) => crash.point },
);

export const engineFaults: fc.Arbitrary<EngineFaults> = fc
  .record({
    http: fc.array(httpFault, { maxLength: 2 }),
    deltaExpired: fc.constantFrom(false, false, false, true),
    concurrentEdits: fc.array(modelPersonEdit, { maxLength: 2 }),
    crashes,
  })
  .map((faults) => {
    // The one window no engine can close (see recoverSentWrites): a retried batch takes an item people created after
    // the run's read, holding exactly the values of one of its creates, for its own. The model keeps people from
    // creating items while a batch is made to crash, as the pure model keeps them out of its blind window.
    const blind = faults.crashes.some((crash) => crash.point === "batchOutcome");
    return blind
      ? { ...faults, concurrentEdits: faults.concurrentEdits.filter((edit) => edit.kind !== "createItem") }
      : faults;
  });

/**
 * What a person settling a conflict takes: one side's value, or a value they type (as into the cell): the `pick`-th of
 * the texts people type into that field, one of which its column cannot hold (refused, nothing recorded).
 */
export type SettleChoice =
  | { readonly kind: "sharePoint" }
  | { readonly kind: "confluence" }
  | { readonly kind: "value"; readonly pick: number };

/** What people type when settling, per field (as MODEL_FIELDS): readable values, and one the column refuses. */
export const SETTLE_TEXTS: Readonly<Record<string, readonly string[]>> = {
  Title: ["a", "b", "c", ""],
  Status: ["open", "Doing", "Done", "", "Maybe"],
  Amount: ["1", "2", "2.5", "", "abc"],
  Due: ["2024-03-01", "2024-03-02", "", "soon"],
};

/** One step of a model run. */
export type ModelStep =
  | { readonly kind: "edit"; readonly edit: PersonEdit<FieldInput> }
  | { readonly kind: "pairEdit"; readonly edit: PairEdit }
  /** A person settles the `pick`-th open conflict nobody settled yet, through the same code as the CLI and the API. */
  | { readonly kind: "settle"; readonly pick: number; readonly choice: SettleChoice }
  /** A sync run; `faults: null` is a clean run, after which the next run must find nothing to do. */
  | { readonly kind: "sync"; readonly faults: EngineFaults | null };

export const settleChoice: fc.Arbitrary<SettleChoice> = fc.oneof(
  fc.constant<SettleChoice>({ kind: "sharePoint" }),
  fc.constant<SettleChoice>({ kind: "confluence" }),
  fc.nat({ max: 9 }).map((pick): SettleChoice => ({ kind: "value", pick })),
);

export const modelSettle: fc.Arbitrary<ModelStep> = fc
  .record({ pick: fc.nat({ max: 3 }), choice: settleChoice })
  .map(({ pick, choice }): ModelStep => ({ kind: "settle", pick, choice }));

export const modelStep: fc.Arbitrary<ModelStep> = fc.oneof(
  { weight: 8, arbitrary: modelPersonEdit.map((edit): ModelStep => ({ kind: "edit", edit })) },
  { weight: 3, arbitrary: modelPairEdit.map((edit): ModelStep => ({ kind: "pairEdit", edit })) },
  { weight: 2, arbitrary: modelSettle },
  { weight: 2, arbitrary: fc.constant<ModelStep>({ kind: "sync", faults: null }) },
  { weight: 4, arbitrary: engineFaults.map((faults): ModelStep => ({ kind: "sync", faults })) },
);

/**
 * Where a model run starts: items and rows people made before the profile existed, then the first run — half the
 * time with faults, as it has the most to create on both sides — so the steps that follow find pairs to edit,
 * conflict over and delete.
 */
export const modelStart: fc.Arbitrary<readonly ModelStep[]> = fc
  .tuple(
    fc.array(fieldValues, { maxLength: 4 }),
    fc.array(fieldValues, { maxLength: 3 }),
    fc.option(engineFaults, { freq: 2 }),
  )
  .map(([items, rows, faults]): ModelStep[] => [
    ...items.map((values): ModelStep => ({ kind: "edit", edit: { kind: "createItem", values } })),
    ...rows.map((values, at): ModelStep => ({ kind: "edit", edit: { kind: "addRow", at, values } })),
    { kind: "sync", faults },
  ]);

/**
 * Steps that make settling common: a conflict made on both sides, a run that flags it, a person settling it,
 * sometimes someone editing the field again before the run (with faults, or not) that applies or re-opens it.
 */
export const settlingStep: fc.Arbitrary<readonly ModelStep[]> = fc.oneof(
  { weight: 2, arbitrary: modelStep.map((step) => [step]) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        conflict: modelPairEdit,
        settle: settleChoice,
        later: fc.option(modelPersonEdit, { freq: 3 }),
        faults: fc.option(engineFaults, { freq: 2 }),
      })
      .map(({ conflict, settle, later, faults }): ModelStep[] => [
        { kind: "pairEdit", edit: conflict },
        { kind: "sync", faults: null },
        { kind: "settle", pick: 0, choice: settle },
        ...(later === null ? [] : [{ kind: "edit", edit: later } as ModelStep]),
        { kind: "sync", faults },
      ]),
  },
);
