import type { SharePointPerson } from "../mapping/sharePointPeople";
import type { GraphTransport } from "./graphTransport";
import { readItemPages } from "./itemReader";

/**
 * The hidden list in which SharePoint keeps every user and group the site has seen; person columns store ids in it
 * (`{Name}LookupId`). Graph addresses a list by its title as well as by its id. [UNCONFIRMED] that every tenant
 * serves it to app-only callers with `Sites.Selected`; without it, person fields read as unresolved references.
 */
export const USER_INFORMATION_LIST = "User Information List";

/** Its columns: `Title` (display name), `EMail`, `Name` (claims login, e.g. `i:0#.f|membership|alice@contoso.com`). */
const PERSON_FIELDS = ["Title", "EMail", "Name"] as const;

/** Every person and group of a site, as the person codecs need them (one page of up to 5,000 at a time). */
export async function readSitePeople(transport: GraphTransport, siteId: string): Promise<SharePointPerson[]> {
  const people: SharePointPerson[] = [];
  const list = { siteId, listId: encodeURIComponent(USER_INFORMATION_LIST) };
  for await (const page of readItemPages(transport, list, { select: PERSON_FIELDS, pageSize: 5000 })) {
    for (const item of page) {
      const text = (name: string): string | undefined => {
        const value = item.fields[name];
        return typeof value === "string" && value.trim() !== "" ? value : undefined;
      };
      const email = text("EMail");
      const loginName = text("Name");
      const displayName = text("Title");
      people.push({
        lookupId: item.id,
        ...(email ? { email } : {}),
        ...(loginName ? { loginName } : {}),
        ...(displayName ? { displayName } : {}),
      });
    }
  }
  return people;
}
