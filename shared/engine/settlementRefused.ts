import { AppError } from "../errors";

/**
 * Why a settlement was not recorded:
 * - `CONFLICT_NOT_FOUND`: the profile has no conflict with that id;
 * - `CONFLICT_ALREADY_SETTLED`: someone settled it first, or the sides agreed and a run closed it (details say who);
 * - `CONFLICT_NOT_SETTLEABLE`: a conflict this choice cannot end (an item deleted on one side and edited on the other,
 *   unless its deletion is taken in a table-mode profile; a field that flows one way, a row without an item, values a
 *   run has not recorded yet);
 * - `SETTLEMENT_VALUE_INVALID`: the value given is not one the field's column can hold (names the field);
 * - `SETTLEMENT_REQUEST_INVALID`: the request itself is malformed (no `take`, a `value` without `take: "value"`, …).
 */
export type SettlementRefusalCode =
  | "CONFLICT_NOT_FOUND"
  | "CONFLICT_ALREADY_SETTLED"
  | "CONFLICT_NOT_SETTLEABLE"
  | "SETTLEMENT_VALUE_INVALID"
  | "SETTLEMENT_REQUEST_INVALID";

/** A settlement that was not recorded; nothing was written. `details` go into the HTTP error envelope as they are. */
export class SettlementRefused extends AppError {
  constructor(
    readonly code: SettlementRefusalCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
