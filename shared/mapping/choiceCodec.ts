import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseText } from "./canonicalText";
import type { CellContent } from "./cellContent";
import { escapeText, isStorableText, renderInlineText, renderStatus } from "./cellRendering";
import type { ColumnDefinition } from "./columnDefinition";
import { failure, type Outcome, quote, type RenderStyle, success, type TypeCodec } from "./fieldCodec";

/** Separators between the values of a multi-choice cell written as text. */
const LIST_SEPARATORS = /[,;\n]/;

/**
 * Choice. Canonical: the choice's text as the column defines it (normalised). A Confluence cell (its status title, or
 * its text) must name a choice, exactly or differing only in case; fill-in values are accepted only where the column
 * allows them. Values already in SharePoint are read as they are (the list of choices may have changed since), but one
 * the column no longer lists is refused when written to the page, where it could not be read back.
 */
export function choiceCodec(
  name: string,
  column: ColumnDefinition,
  /** The field's status colour map (value → colour), for lozenges whose title names no choice. */
  statusColours: Readonly<Record<string, string>> = {},
): TypeCodec {
  const choices = new ChoiceMatcher(column);
  return {
    kind: "choice",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null) return success(null);
      if (typeof raw !== "string") return failure("FIELD_VALUE_INVALID", `expected a choice, got ${quote(raw)}`);
      const text = normaliseText(raw);
      return success(text === "" ? null : text);
    },
    fromConfluence(cell) {
      const statuses = cell.readings.filter((reading) => reading.kind === "status");
      const status = statuses.length === 1 && statuses[0]?.kind === "status" ? statuses[0] : undefined;
      const text = status === undefined ? normaliseText(cell.text) : normaliseText(status.title);
      if (text === "") return success(null);
      const matched = choices.match(text);
      if (matched.ok || status === undefined) return matched;
      // A lozenge whose title names no choice (people retitle them: "Amber" for "At risk") is read by its colour, when
      // exactly one choice has that colour in the field's map (docs/pages-mode.md §4); otherwise the error stands.
      const byColour = Object.entries(statusColours).filter(
        ([value, colour]) => colour.toLowerCase() === status.colour.toLowerCase() && choices.isChoice(value),
      );
      const [only] = byColour;
      return byColour.length === 1 && only !== undefined ? choices.match(normaliseText(only[0])) : matched;
    },
    toSharePoint(value) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a choice`);
      return success({ [name]: value });
    },
    toConfluence(value, style) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a choice`);
      const known = value === null ? undefined : choices.refuseUnknown(value);
      if (known !== undefined) return known;
      const rendered = renderInlineText(value ?? "", style);
      return rendered === undefined
        ? failure("FIELD_VALUE_NOT_REPRESENTABLE", `${quote(value)} holds characters a page cannot store`)
        : success([rendered]);
    },
  };
}

/**
 * Choice with multiple selections (Graph marks none; `displayAs: checkBoxes` or an array value tells it). Canonical:
 * the sorted set of choices, or `null` when none. Confluence shows one status lozenge per value in a status column,
 * else the values separated by commas; a value containing `,` or `;` cannot be written as text and is refused.
 */
export function multiChoiceCodec(name: string, column: ColumnDefinition): TypeCodec {
  const choices = new ChoiceMatcher(column);
  const check = (value: CanonicalValue): Outcome<string[]> => {
    if (value === null) return success([]);
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === "string")) {
      return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a set of choices`);
    }
    return success(value);
  };
  return {
    kind: "multiChoice",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null) return success(null);
      if (!Array.isArray(raw) || !raw.every((item) => typeof item === "string"))
        return failure("FIELD_VALUE_INVALID", `expected a list of choices, got ${quote(raw)}`);
      return success(canonicalSet(raw.map(normaliseText)));
    },
    fromConfluence(cell) {
      const values: string[] = [];
      for (const text of multiChoiceTexts(cell)) {
        const matched = choices.match(text);
        if (!matched.ok) return matched;
        values.push(matched.value);
      }
      return success(canonicalSet(values));
    },
    toSharePoint(value) {
      const checked = check(value);
      if (!checked.ok) return checked;
      return success({ [`${name}@odata.type`]: "Collection(Edm.String)", [name]: checked.value });
    },
    toConfluence(value, style) {
      const checked = check(value);
      if (!checked.ok) return checked;
      for (const item of checked.value) {
        const known = choices.refuseUnknown(item);
        if (known !== undefined) return known;
      }
      return renderChoiceList(checked.value, style);
    },
  };
}

function multiChoiceTexts(cell: CellContent): string[] {
  const statuses = cell.readings.flatMap((reading) =>
    reading.kind === "status" ? [normaliseText(reading.title)] : [],
  );
  const source = statuses.length > 0 ? statuses : cell.text.split(LIST_SEPARATORS).map(normaliseText);
  return source.filter((text) => text !== "");
}

function renderChoiceList(values: readonly string[], style: RenderStyle): Outcome<string[]> {
  if (values.some((value) => !isStorableText(value)))
    return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${quote(values)} holds characters a page cannot store`);
  if (style.kind === "status")
    return success([values.map((value) => renderStatus(value, style.colourFor(value))).join(" ")]);
  const unsafe = values.find((value) => LIST_SEPARATORS.test(value));
  if (unsafe !== undefined) {
    return failure(
      "FIELD_VALUE_NOT_REPRESENTABLE",
      `${quote(unsafe)} contains a separator (, or ;) and cannot be told apart in a text cell; use the status format`,
    );
  }
  return success([values.map(escapeText).join(", ")]);
}

/** A sorted set without duplicates (code-unit order, the same on every machine), `null` when empty. */
export function canonicalSet(values: readonly string[]): string[] | null {
  const unique = [...new Set(values.filter((value) => value !== ""))].sort();
  return unique.length === 0 ? null : unique;
}

class ChoiceMatcher {
  readonly #choices: readonly string[];
  readonly #allowTextEntry: boolean;

  constructor(column: ColumnDefinition) {
    this.#choices = (column.choice?.choices ?? []).map(normaliseText);
    this.#allowTextEntry = column.choice?.allowTextEntry === true;
  }

  /**
   * A value SharePoint still holds but the column no longer lists would not read back from the page; it is refused
   * on the way to Confluence instead of being written and then rejected on every later read.
   */
  refuseUnknown(value: string): Outcome<never> | undefined {
    if (this.#allowTextEntry || this.#choices.includes(value)) return undefined;
    return failure(
      "FIELD_VALUE_NOT_REPRESENTABLE",
      `${quote(value)} is no longer a choice of this column, so it could not be read back from the page`,
    );
  }

  /** Whether `value` is one of the column's choices (as written, or differing in case). */
  isChoice(value: string): boolean {
    const folded = normaliseText(value).toLowerCase();
    return this.#choices.some((choice) => choice.toLowerCase() === folded);
  }

  match(text: string): Outcome<string> {
    if (this.#choices.includes(text)) return success(text);
    const folded = text.toLowerCase();
    const sameButCase = this.#choices.filter((choice) => choice.toLowerCase() === folded);
    if (sameButCase.length === 1 && sameButCase[0] !== undefined) return success(sameButCase[0]);
    if (this.#allowTextEntry) return success(text);
    const listed =
      this.#choices.length === 0
        ? "the column lists no choices"
        : `choose one of ${this.#choices.map((choice) => quote(choice)).join(", ")}`;
    return failure("FIELD_CHOICE_UNKNOWN", `${quote(text)} is not a choice of this column (${listed})`);
  }
}
