import type { LookupEntry } from "../mapping/lookupCodec";
import type { GraphTransport } from "./graphTransport";
import { readItemPages } from "./itemReader";

/**
 * The items of the list a lookup column points at (`lookup.listId`), each with the value the column shows
 * (`lookup.columnName`, usually `Title`): what a lookup codec needs to show ids as values and read values back.
 */
export async function readLookupEntries(
  transport: GraphTransport,
  target: { siteId: string; listId: string; columnName: string },
): Promise<LookupEntry[]> {
  const entries: LookupEntry[] = [];
  const list = { siteId: target.siteId, listId: target.listId };
  for await (const page of readItemPages(transport, list, { select: [target.columnName], pageSize: 5000 })) {
    for (const item of page) {
      const value = item.fields[target.columnName];
      if (value !== undefined && value !== null) entries.push({ id: item.id, value: String(value) });
    }
  }
  return entries;
}
