/**
 * Parses a `Retry-After` header value into milliseconds from `nowMs`.
 * Both forms of RFC 9110 are accepted: delay-seconds (`"10"`) and an HTTP-date. Graph and Atlassian send seconds;
 * the date form is handled because proxies in front of them may rewrite it. Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
