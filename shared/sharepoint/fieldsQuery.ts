import { SHAREPOINT_INTERNAL_NAME_PATTERN } from "../mapping/fieldMapping";
import { GraphError, GraphErrorCodes } from "./graphError";

/**
 * `$expand=fields` or `$expand=fields($select=A,B)`: which field values come back with each item. Selecting keeps
 * pages small and is the only way to get hidden columns or a single lookup's display value (`X` beside
 * `XLookupId`); without it every visible column with a value comes back.
 */
export function expandFields(select: readonly string[] | undefined): string {
  if (select === undefined || select.length === 0) return "$expand=fields";
  for (const name of select) {
    // Internal names are letters, digits and `_` (`Due_x0020_Date`); a display name ("Due Date") would break the
    // OData syntax, so it is refused here rather than sent.
    if (!SHAREPOINT_INTERNAL_NAME_PATTERN.test(name)) {
      throw new GraphError(
        GraphErrorCodes.BadRequest,
        `"${name}" is not a SharePoint internal column name (use the column's \`name\`, e.g. Due_x0020_Date)`,
        { transient: false },
      );
    }
  }
  return `$expand=fields($select=${select.join(",")})`;
}
