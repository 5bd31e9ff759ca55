import { AppError } from "../errors/appError";

/**
 * The planner was given rules or readings that break its contract (a `matchBy` field that is not mapped, an item
 * listed twice in a delta, …). A bug or a misconfiguration upstream, never a person's edit: person-made problems
 * (duplicate keys, unreadable cells) are reported in the plan instead.
 */
export class PlannerInputInvalid extends AppError {
  readonly code = "PLANNER_INPUT_INVALID";
}
