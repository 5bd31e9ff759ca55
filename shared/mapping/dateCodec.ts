import {
  dateInTimeZone,
  instantFromEpoch,
  isStartOfDateInTimeZone,
  parseDateOnly,
  parseInstant,
  startOfDateInTimeZone,
  zonesAtMidnight,
} from "./canonicalDate";
import { normaliseText } from "./canonicalText";
import { renderDate, renderInlineText } from "./cellRendering";
import { failure, quote, success, type TypeCodec } from "./fieldCodec";

/**
 * Date-only. Canonical: `YYYY-MM-DD`. SharePoint stores the date as midnight in the site's time zone expressed in
 * UTC (`2024-02-29T23:00:00Z` is 1 March in Berlin), so reading converts the instant to the site's calendar date and
 * writing sends that date's local midnight: the date never moves, whatever zone the sync runs in. Confluence shows a
 * `<time datetime="YYYY-MM-DD" />` (or the plain date where the column holds plain text).
 */
export function dateOnlyCodec(name: string, siteTimeZone: string): TypeCodec {
  return {
    kind: "dateOnly",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null || raw === "") return success(null);
      if (typeof raw === "string") {
        const date = parseDateOnly(raw);
        if (date !== undefined) return success(date);
        const instant = parseInstant(raw);
        if (instant !== undefined) {
          const epoch = Date.parse(instant);
          // Not midnight in the configured zone: the zone is wrong, and taking the date would shift it by a day.
          if (!isStartOfDateInTimeZone(epoch, siteTimeZone))
            return failure("FIELD_DATE_ZONE_MISMATCH", zoneMismatch(instant, epoch, siteTimeZone));
          return success(dateInTimeZone(epoch, siteTimeZone));
        }
      }
      return failure("FIELD_VALUE_INVALID", `expected an ISO date, got ${quote(raw)}`);
    },
    fromConfluence(cell) {
      const dates = cell.readings.filter((reading) => reading.kind === "date");
      const text =
        dates.length === 1 && dates[0]?.kind === "date" ? dates[0].datetime.trim() : normaliseText(cell.text);
      if (text === "") return success(null);
      const date = parseDateOnly(text);
      if (date === undefined)
        return failure(
          "FIELD_VALUE_INVALID",
          `${quote(text)} is not a date (write it as YYYY-MM-DD, or insert a date)`,
        );
      return success(date);
    },
    toSharePoint(value) {
      if (value === null) return success({ [name]: null });
      if (typeof value !== "string" || parseDateOnly(value) === undefined)
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a YYYY-MM-DD date`);
      return success({ [name]: instantFromEpoch(startOfDateInTimeZone(value, siteTimeZone)) });
    },
    toConfluence(value, style) {
      if (value === null) return success([""]);
      if (typeof value !== "string" || parseDateOnly(value) === undefined)
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a YYYY-MM-DD date`);
      return success([
        style.kind === "date" ? renderDate(value) : (renderInlineText(value, { kind: "text" }) ?? value),
      ]);
    },
  };
}

/** Why a date-only value is refused rather than shifted, naming the zone it was likely stored in. */
export function zoneMismatch(instant: string, epoch: number, siteTimeZone: string): string {
  const { offset, zones } = zonesAtMidnight(epoch);
  const likely = zones.length > 0 ? `${offset}, e.g. ${zones.join(", ")}` : offset;
  return `${instant} is not midnight in ${siteTimeZone} (the profile's sharePoint.timeZone) but in ${likely}: SharePoint stores a date as midnight in the site's time zone, so set sharePoint.timeZone to the site's zone; the date is not read until then, never shifted`;
}

/**
 * Date and time. Canonical: the UTC instant `YYYY-MM-DDTHH:mm:ssZ`. Confluence has no date-and-time element (`<time>`
 * holds a date only), so the cell shows the ISO instant as text; reading requires a zone (`Z` or `+02:00`), because a
 * bare `2024-03-01 14:30` means different instants to different readers.
 */
export function dateTimeCodec(name: string): TypeCodec {
  return {
    kind: "dateTime",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null || raw === "") return success(null);
      const instant = typeof raw === "string" ? parseInstant(raw) : undefined;
      return instant === undefined
        ? failure("FIELD_VALUE_INVALID", `expected an ISO date and time in UTC, got ${quote(raw)}`)
        : success(instant);
    },
    fromConfluence(cell) {
      const text = normaliseText(cell.text);
      if (text === "") return success(null);
      const instant = parseInstant(text);
      if (instant !== undefined) return success(instant);
      const dateOnly = cell.readings.some((reading) => reading.kind === "date") || parseDateOnly(text) !== undefined;
      return failure(
        "FIELD_VALUE_INVALID",
        dateOnly
          ? `${quote(text)} has no time of day; this column holds a date and time (write e.g. 2024-03-01T14:30:00Z)`
          : `${quote(text)} is not a date and time with a zone (write e.g. 2024-03-01T14:30:00Z or 2024-03-01T16:30:00+02:00)`,
      );
    },
    toSharePoint(value) {
      if (value === null) return success({ [name]: null });
      if (typeof value !== "string" || parseInstant(value) !== value)
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a canonical UTC instant`);
      // SharePoint keeps whole seconds: a fraction would come back rounded, as a different value.
      if (value.includes("."))
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `${value} has fractions of a second, which SharePoint does not keep`,
        );
      return success({ [name]: value });
    },
    toConfluence(value) {
      if (value === null) return success([""]);
      if (typeof value !== "string" || parseInstant(value) !== value)
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a canonical UTC instant`);
      return success([value]);
    },
  };
}
