/**
 * Dates in their canonical forms: date-only values are `YYYY-MM-DD` (a calendar date, never an instant, so no time
 * zone can shift it); date-and-time values are UTC ISO 8601 instants `YYYY-MM-DDTHH:mm:ssZ` (milliseconds only when
 * not zero).
 */
export type CanonicalDate = string;
export type CanonicalInstant = string;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})$/i;

/** A real calendar date written as `YYYY-MM-DD`, or `undefined` (`2024-02-30`, `1/2/2024`, …). */
export function parseDateOnly(text: string): CanonicalDate | undefined {
  const match = DATE_ONLY.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isCalendarDate(year, month, day) ? text : undefined;
}

/**
 * An ISO 8601 date and time **with** a zone (`Z` or `±hh:mm`) as a canonical UTC instant, or `undefined`. A time
 * without a zone is refused: which instant it means depends on whose clock, and guessing would shift values.
 */
export function parseInstant(text: string): CanonicalInstant | undefined {
  const match = INSTANT.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) => Number(match[group] ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((match[7] ?? "").padEnd(3, "0").slice(0, 3));
  const zone = match[8] ?? "Z";
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (digits.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return instantFromEpoch(utc);
}

export function instantFromEpoch(epochMillis: number): CanonicalInstant {
  return new Date(epochMillis).toISOString().replace(".000Z", "Z");
}

/** Whether `timeZone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date that an instant falls on in `timeZone`. */
export function dateInTimeZone(epochMillis: number, timeZone: string): CanonicalDate {
  const { year, month, day } = wallClock(epochMillis, timeZone);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * The first instant of a calendar date in `timeZone` (its local midnight, or the first minute after a DST gap at
 * midnight). This is how SharePoint stores a date-only value: midnight in the site's time zone, expressed in UTC.
 */
export function startOfDateInTimeZone(date: CanonicalDate, timeZone: string): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const wallMidnight = Date.UTC(year, month - 1, day);
  // Two rounds settle the offset except across a DST change right at midnight; then step to the day's first minute.
  let instant = wallMidnight - offsetMillis(wallMidnight, timeZone);
  instant = wallMidnight - offsetMillis(instant, timeZone);
  while (dateInTimeZone(instant, timeZone) < date) instant += 60_000;
  while (dateInTimeZone(instant - 60_000, timeZone) === date) instant -= 60_000;
  return instant;
}

/** Whether an instant is the first instant of its calendar date in `timeZone` (how SharePoint stores a date-only value). */
export function isStartOfDateInTimeZone(epochMillis: number, timeZone: string): boolean {
  return startOfDateInTimeZone(dateInTimeZone(epochMillis, timeZone), timeZone) === epochMillis;
}

/**
 * The zones in which an instant is local midnight, for telling an operator which `sharePoint.timeZone` a date-only
 * value was stored in: its UTC offset (`UTC+01:00`) and up to three region zones (`Europe/Berlin`, …). Memoised by
 * time of day and date, since a list's values share a handful of offsets.
 */
export function zonesAtMidnight(epochMillis: number): { offset: string; zones: string[] } {
  const key = epochMillis;
  const cached = zoneGuesses.get(key);
  if (cached !== undefined) return cached;
  const utcMinutes = Math.round((((epochMillis % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  // Local midnight at this UTC time of day means an offset of minus that time, modulo a day (+14h … −12h).
  let offsetMinutes = -utcMinutes;
  if (offsetMinutes < -12 * 60) offsetMinutes += 24 * 60;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const absolute = Math.abs(offsetMinutes);
  const offset = `UTC${sign}${String(Math.floor(absolute / 60)).padStart(2, "0")}:${String(absolute % 60).padStart(2, "0")}`;
  const zones: string[] = [];
  for (const zone of regionZones()) {
    if (zones.length === 3) break;
    if (isStartOfDateInTimeZone(epochMillis, zone)) zones.push(zone);
  }
  const guess = { offset, zones };
  if (zoneGuesses.size > 1_000) zoneGuesses.clear();
  zoneGuesses.set(key, guess);
  return guess;
}

const zoneGuesses = new Map<number, { offset: string; zones: string[] }>();
let regions: readonly string[] | undefined;

/** The runtime's IANA zones named after a place (`Europe/Berlin`), well-known cities first. */
function regionZones(): readonly string[] {
  if (regions !== undefined) return regions;
  const known = [
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
  ];
  const all = Intl.supportedValuesOf("timeZone").filter((zone) => zone.includes("/") && !zone.startsWith("Etc/"));
  regions = [...known.filter((zone) => all.includes(zone)), ...all.filter((zone) => !known.includes(zone))];
  return regions;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Local wall-clock time minus UTC at an instant, in milliseconds. */
function offsetMillis(epochMillis: number, timeZone: string): number {
  const wall = wallClock(epochMillis, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(epochMillis / 1000) * 1000;
}

function wallClock(
  epochMillis: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMillis)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    // Some ICU versions print midnight as hour 24 with `hourCycle: h23` unset; normalise.
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
