import { expandFields } from "./fieldsQuery";
import { GraphError, GraphErrorCodes } from "./graphError";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { type ItemPage, itemPageSchema, listItemSchema, type SharePointItem, toSharePointItem } from "./listItem";
import { describeList, type ListRef, listPath } from "./listRef";

export interface ItemReadOptions {
  /** Internal names of the fields to return; all visible ones when absent. */
  select?: readonly string[];
  /** Items per page (`$top`); the service caps it (5,000) and may return fewer. */
  pageSize?: number;
}

/**
 * Every item of a list, one page at a time (`GET …/items?$expand=fields…&$top=n`, then the `@odata.nextLink`s until
 * there is none). Memory stays bounded by one page. For change tracking use the delta reader instead.
 */
export async function* readItemPages(
  transport: GraphTransport,
  list: ListRef,
  options: ItemReadOptions = {},
): AsyncGenerator<SharePointItem[]> {
  let next: string | undefined =
    `${listPath(list)}/items?${expandFields(options.select)}${options.pageSize ? `&$top=${options.pageSize}` : ""}`;
  while (next !== undefined) {
    const page: ItemPage = parseGraphResponse(
      itemPageSchema,
      await transport.get(next),
      `items of ${describeList(list)}`,
    );
    yield page.value.map(toSharePointItem);
    next = page["@odata.nextLink"];
  }
}

/**
 * One item by id (`GET …/items/{id}?$expand=fields…`), or `undefined` when the list has no such item (404: deleted,
 * or never existed). For the few items a planner must see that the delta did not report.
 */
export async function readItemById(
  transport: GraphTransport,
  list: ListRef,
  itemId: string,
  options: Pick<ItemReadOptions, "select"> = {},
): Promise<SharePointItem | undefined> {
  if (!/^\d+$/.test(itemId))
    throw new GraphError(GraphErrorCodes.BadRequest, `"${itemId}" is not a SharePoint list item id`, {
      transient: false,
    });
  try {
    const raw = await transport.get(`${listPath(list)}/items/${itemId}?${expandFields(options.select)}`);
    return toSharePointItem(parseGraphResponse(listItemSchema, raw, `item ${itemId} of ${describeList(list)}`));
  } catch (error) {
    if (error instanceof GraphError && error.code === GraphErrorCodes.NotFound) return undefined;
    throw error;
  }
}
