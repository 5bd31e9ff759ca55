import type { CanonicalValue } from "../sync/canonicalValue";
import {
  compareDecimals,
  decimalFromNumber,
  isRepresentableAsDouble,
  parseDecimal,
  shiftDecimal,
} from "./canonicalDecimal";
import { normaliseText } from "./canonicalText";
import { renderInlineText } from "./cellRendering";
import type { ColumnDefinition } from "./columnDefinition";
import { failure, type Outcome, quote, success, type TypeCodec } from "./fieldCodec";

/**
 * Number and Currency. Canonical: a decimal string (`canonicalDecimal.ts`), empty → `null`. Confluence cells must hold
 * a plain decimal with a `.` point (`1234.5`, `-3`): grouping separators and decimal commas depend on a locale the
 * page does not state, so `1,234` is refused rather than guessed. Percentage columns (`displayAs: percentage`) store
 * 0.25 and show `25%`. Values outside the column's minimum/maximum, or with more precision than SharePoint keeps, are
 * refused when written.
 */
export function numberCodec(name: string, column: ColumnDefinition, kind: "number" | "currency"): TypeCodec {
  const percentage = kind === "number" && column.number?.displayAs === "percentage";
  const minimum = boundOf(column.number?.minimum);
  const maximum = boundOf(column.number?.maximum);
  const check = (value: CanonicalValue): Outcome<string | null> => {
    if (value === null) return success(null);
    if (typeof value !== "string" || parseDecimal(value) !== value)
      return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a canonical decimal`);
    return success(value);
  };
  return {
    kind,
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null) return success(null);
      if (typeof raw === "number" && Number.isFinite(raw)) return success(decimalFromNumber(raw));
      // Some clients and the IEEE754Compatible mode return numbers as strings.
      if (typeof raw === "string") {
        const decimal = parseDecimal(raw.trim());
        if (decimal !== undefined) return success(decimal);
      }
      return failure("FIELD_VALUE_INVALID", `expected a number, got ${quote(raw)}`);
    },
    fromConfluence(cell) {
      const text = normaliseText(cell.text);
      if (text === "") return success(null);
      if (percentage) {
        const match = /^(.*?)\s*%$/.exec(text);
        const decimal = match === null ? undefined : parseDecimal(match[1] ?? "");
        if (decimal === undefined)
          return failure("FIELD_VALUE_INVALID", `${quote(text)} is not a percentage (write it like 25% or 12.5%)`);
        return success(shiftDecimal(decimal, -2));
      }
      const decimal = parseDecimal(text);
      if (decimal === undefined)
        return failure(
          "FIELD_VALUE_INVALID",
          `${quote(text)} is not a number (write digits with a "." for decimals, e.g. 1234.5)`,
        );
      return success(decimal);
    },
    toSharePoint(value) {
      const checked = check(value);
      if (!checked.ok || checked.value === null) return checked.ok ? success({ [name]: null }) : checked;
      const decimal = checked.value;
      if (!isRepresentableAsDouble(decimal)) {
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `${decimal} has more digits than a SharePoint number (a double) keeps; it would come back as ${decimalFromNumber(Number(decimal))}`,
        );
      }
      if (minimum !== undefined && compareDecimals(decimal, minimum) < 0)
        return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${decimal} is below the column's minimum ${minimum}`);
      if (maximum !== undefined && compareDecimals(decimal, maximum) > 0)
        return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${decimal} is above the column's maximum ${maximum}`);
      return success({ [name]: Number(decimal) });
    },
    toConfluence(value, style) {
      const checked = check(value);
      if (!checked.ok) return checked;
      if (checked.value === null) return success([""]);
      const text = percentage ? `${shiftDecimal(checked.value, 2)}%` : checked.value;
      return success([renderInlineText(text, style) ?? text]);
    },
  };
}

function boundOf(value: number | undefined): string | undefined {
  // Graph reports unbounded columns with ±1.79769313486232E+308 (double max); treat those as no bound.
  return value === undefined || !Number.isFinite(value) || Math.abs(value) >= 1e300
    ? undefined
    : decimalFromNumber(value);
}
