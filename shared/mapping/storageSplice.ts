/** Replace `source.slice(start, end)` with `text` (an insertion when `start === end`). */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Applies non-overlapping splices to a source in one pass; everything between them is copied unchanged. Splices may
 * come in any order; insertions at the same offset keep their given order. Overlaps are refused, not resolved.
 */
export function applySplices(
  source: string,
  splices: readonly Splice[],
): { ok: true; text: string } | { ok: false; message: string } {
  const ordered = splices
    .map((splice, order) => ({ ...splice, order }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
  const parts: string[] = [];
  let position = 0;
  for (const splice of ordered) {
    if (splice.start < position || splice.end < splice.start || splice.end > source.length) {
      return { ok: false, message: `two changes overlap at offset ${splice.start} of the page` };
    }
    parts.push(source.slice(position, splice.start), splice.text);
    position = splice.end;
  }
  parts.push(source.slice(position));
  return { ok: true, text: parts.join("") };
}
