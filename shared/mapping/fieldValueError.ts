import { AppError } from "../errors";

/**
 * A value of one field that cannot be read or written. These are item-level: the engine records them for the item and
 * field and carries on with the rest of the run. Never thrown by the codecs; returned in `{ ok: false, error }`.
 * - `FIELD_VALUE_INVALID`: the value does not parse for the column type (`abc` in a Number column);
 * - `FIELD_CHOICE_UNKNOWN`: not one of the column's choices (and the column does not allow fill-in values);
 * - `FIELD_VALUE_NOT_REPRESENTABLE`: valid, but the other side cannot hold it without loss (too many digits for a
 *   SharePoint number, a choice containing the separator of a multi-choice cell, formatted rich text, …);
 * - `FIELD_REFERENCE_UNRESOLVED`: a person or lookup value that the directories given to the mapper do not know;
 * - `CELL_TOO_DEEP`: a cell nests elements deeper than any person's content does (`MAX_CONTENT_DEPTH`); it is not read;
 * - `FIELD_DATE_ZONE_MISMATCH`: a date-only value that is not midnight in the profile's `sharePoint.timeZone` (the
 *   zone is wrong; reading it would shift the date), refused with the zone it likely was stored in.
 */
export type FieldValueErrorCode =
  | "FIELD_VALUE_INVALID"
  | "FIELD_CHOICE_UNKNOWN"
  | "FIELD_VALUE_NOT_REPRESENTABLE"
  | "FIELD_REFERENCE_UNRESOLVED"
  | "CELL_TOO_DEEP"
  | "FIELD_DATE_ZONE_MISMATCH";

export type FieldSide = "sharePoint" | "confluence";

const SIDE_NAMES: Readonly<Record<FieldSide, string>> = { sharePoint: "SharePoint", confluence: "Confluence" };

export interface FieldValueContext {
  /** SharePoint internal column name, the field's identity in the profile. */
  field: string;
  /** The side whose value was being read, or that was being written. */
  side: FieldSide;
  /** The item or row, e.g. `item 42` or `row 7 (ID 42)`, when the caller knows it. */
  where?: string;
}

export class FieldValueError extends AppError {
  readonly field: string;
  readonly side: FieldSide;

  constructor(
    readonly code: FieldValueErrorCode,
    /** What is wrong with the value, e.g. `"abc" is not a number`. */
    readonly detail: string,
    context: FieldValueContext,
  ) {
    super(
      `field "${context.field}"${context.where === undefined ? "" : ` of ${context.where}`} (${SIDE_NAMES[context.side]}): ${detail}`,
    );
    this.field = context.field;
    this.side = context.side;
  }

  /** The same problem, placed at an item or row (messages name where the value was). */
  at(where: string): FieldValueError {
    return new FieldValueError(this.code, this.detail, { field: this.field, side: this.side, where });
  }

  override toJSON(): { name: string; code: string; message: string; field: string; side: FieldSide } {
    return { ...super.toJSON(), field: this.field, side: this.side };
  }
}
