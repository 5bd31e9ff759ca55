/**
 * A person or group of the SharePoint site, as the site's user information list knows them. Graph returns people
 * fields as `{Name}LookupId` (an id in that list), so reading and writing them needs this directory; the engine reads
 * it and hands it to `buildFieldCodecs`.
 */
export interface SharePointPerson {
  /** The id in the site's user information list, as in `{Name}LookupId`. */
  readonly lookupId: string;
  readonly email?: string;
  /** Claims login name, e.g. `i:0#.f|membership|alice@contoso.com`. */
  readonly loginName?: string;
  readonly displayName?: string;
}

/**
 * The canonical identity of a person: the lower-cased e-mail address, or for accounts without one (groups) the
 * lower-cased claims login name. `undefined` when neither is known.
 */
export function personIdentity(person: {
  email?: string | undefined;
  loginName?: string | undefined;
}): string | undefined {
  const email = person.email?.trim();
  if (email !== undefined && email !== "") return email.toLowerCase();
  const loginName = person.loginName?.trim();
  if (loginName === undefined || loginName === "") return undefined;
  return identityFromClaims(loginName) ?? loginName.toLowerCase();
}

const EMAIL = /^[^\s@,;<>|]+@[^\s@,;<>|]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text);
}

/** `i:0#.f|membership|alice@contoso.com` → `alice@contoso.com`; `undefined` when the claims carry no e-mail. */
export function identityFromClaims(claims: string): string | undefined {
  const last = claims.split("|").pop()?.trim() ?? "";
  return claims.includes("|") && isEmailAddress(last) ? last.toLowerCase() : undefined;
}

/** Lookups both ways between list ids and identities. */
export class PeopleDirectory {
  readonly #identityById = new Map<string, string>();
  readonly #idByIdentity = new Map<string, string>();

  constructor(people: readonly SharePointPerson[]) {
    for (const person of people) {
      const identity = personIdentity(person);
      if (identity === undefined) continue;
      this.#identityById.set(String(person.lookupId), identity);
      if (!this.#idByIdentity.has(identity)) this.#idByIdentity.set(identity, String(person.lookupId));
      // A group is also findable by its login name as people type it.
      if (person.loginName !== undefined)
        this.#idByIdentity.set(person.loginName.trim().toLowerCase(), String(person.lookupId));
    }
  }

  identityOf(lookupId: string): string | undefined {
    return this.#identityById.get(lookupId);
  }

  lookupIdOf(identity: string): string | undefined {
    return this.#idByIdentity.get(identity);
  }

  knows(identity: string): boolean {
    return this.#idByIdentity.has(identity);
  }
}
