import { normaliseText } from "./canonicalText";
import { renderInlineText } from "./cellRendering";
import { failure, quote, success, type TypeCodec } from "./fieldCodec";

const TRUE_WORDS = new Set(["yes", "true", "y", "1", "[x]", "✓", "✔", "☑"]);
const FALSE_WORDS = new Set(["no", "false", "n", "0", "[ ]", "✗", "✘", "☐"]);

/**
 * Yes/No. Canonical: `true` / `false`; an unset value is `null`. Confluence shows `Yes` / `No`; reading also accepts
 * true/false, y/n, 1/0 (any case) and a single task checkbox (complete = yes). Anything else is refused.
 */
export function booleanCodec(name: string): TypeCodec {
  return {
    kind: "boolean",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null) return success(null);
      if (typeof raw === "boolean") return success(raw);
      return failure("FIELD_VALUE_INVALID", `expected true or false, got ${quote(raw)}`);
    },
    fromConfluence(cell) {
      const tasks = cell.readings.filter((reading) => reading.kind === "task");
      const text = normaliseText(cell.text);
      if (
        tasks.length === 1 &&
        tasks[0]?.kind === "task" &&
        normaliseText(tasks[0].text) === normaliseText(text.replace(/^\[[ x]\]/, ""))
      ) {
        return success(tasks[0].complete);
      }
      const word = text.toLowerCase();
      if (word === "") return success(null);
      if (TRUE_WORDS.has(word)) return success(true);
      if (FALSE_WORDS.has(word)) return success(false);
      return failure("FIELD_VALUE_INVALID", `${quote(text)} is not yes or no`);
    },
    toSharePoint(value) {
      if (value !== null && typeof value !== "boolean")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not yes or no`);
      return success({ [name]: value });
    },
    toConfluence(value, style) {
      if (value !== null && typeof value !== "boolean")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not yes or no`);
      return success([value === null ? "" : (renderInlineText(value ? "Yes" : "No", style) ?? "")]);
    },
  };
}
