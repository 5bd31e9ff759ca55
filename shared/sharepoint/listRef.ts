/** Which SharePoint list: the composite Graph site id (`{hostname},{siteCollectionGuid},{webGuid}`) and the list id. */
export interface ListRef {
  siteId: string;
  listId: string;
}

/** `sites/{site-id}/lists/{list-id}`, the list's path below the Graph version (also a subscription's `resource`). */
export function listPath(list: ListRef): string {
  return `sites/${list.siteId}/lists/${list.listId}`;
}

/** "profile's list" for messages. */
export function describeList(list: ListRef): string {
  return `list ${list.listId} of site ${list.siteId}`;
}
