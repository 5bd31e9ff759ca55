import { AppError } from "../errors";

/**
 * A profile field that cannot be mapped at all, found when the codecs are built from the list's columns. These stop
 * the profile's run (a configuration problem, not a bad value):
 * - `FIELD_COLUMN_NOT_FOUND`: the list has no column with that internal name;
 * - `FIELD_TYPE_UNSUPPORTED`: a column type the sync does not carry (calculated, managed metadata, …);
 * - `FIELD_TYPE_UNKNOWN`: Graph shows no type facet and no sample value tells the type (hyperlink columns);
 * - `FIELD_FORMAT_MISMATCH`: the profile's `format` cannot render this column type.
 */
export type FieldMappingErrorCode =
  | "FIELD_COLUMN_NOT_FOUND"
  | "FIELD_TYPE_UNSUPPORTED"
  | "FIELD_TYPE_UNKNOWN"
  | "FIELD_FORMAT_MISMATCH";

export class FieldMappingError extends AppError {
  constructor(
    readonly code: FieldMappingErrorCode,
    readonly field: string,
    detail: string,
  ) {
    super(`field "${field}": ${detail}`);
  }

  override toJSON(): { name: string; code: string; message: string; field: string } {
    return { ...super.toJSON(), field: this.field };
  }
}
