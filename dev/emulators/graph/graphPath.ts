/**
 * Splits a request target below the version (`sites/{id}/lists/{id}/items?$top=5`) into decoded path segments and
 * the raw query. Segments are decoded one by one, so `%2C` in a site id becomes a comma and `/` stays a separator.
 */
export function splitGraphTarget(target: string): { segments: string[]; rawQuery: string } {
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  return {
    segments: path
      .split("/")
      .filter((s) => s !== "")
      .map(decodeSegment),
    rawQuery: q === -1 ? "" : target.slice(q + 1),
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
