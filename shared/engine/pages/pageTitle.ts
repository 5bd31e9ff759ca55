import { TITLE_TEMPLATE_REFERENCE } from "../../config/pagesTarget";
import type { CanonicalValue } from "../../sync";

/** Confluence refuses longer titles. */
const MAX_TITLE = 255;

/**
 * A new page's title from the profile's template (docs/pages-mode.md §6): `{Field}` is the field's value as a person
 * reads it, `{ID}` the item id. A title that comes out empty or too long is the item's error: no page is created.
 */
export function renderTitle(
  template: string,
  values: Readonly<Record<string, CanonicalValue>>,
  itemId: string,
): { ok: true; title: string } | { ok: false; message: string } {
  const title = template
    .replace(TITLE_TEMPLATE_REFERENCE, (_match, name: string) =>
      name === "ID" ? itemId : Object.hasOwn(values, name) ? textOf(values[name] ?? null) : "",
    )
    .replace(/\s+/g, " ")
    .trim();
  if (title === "")
    return { ok: false, message: `the title template "${template}" gives an empty title for item ${itemId}` };
  if (title.length > MAX_TITLE)
    return {
      ok: false,
      message: `the title for item ${itemId} would be ${title.length} characters (at most ${MAX_TITLE})`,
    };
  return { ok: true, title };
}

function textOf(value: CanonicalValue): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(textOf).join(", ");
  const link = value as { description?: CanonicalValue; url?: CanonicalValue };
  return textOf(link.description ?? link.url ?? null);
}
