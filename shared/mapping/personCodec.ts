import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseText } from "./canonicalText";
import type { CellContent } from "./cellContent";
import { escapeText, isStorableText, renderMention } from "./cellRendering";
import { canonicalSet } from "./choiceCodec";
import { failure, type Outcome, quote, type RenderStyle, success, type TypeCodec } from "./fieldCodec";
import { identityFromClaims, isEmailAddress, type PeopleDirectory, personIdentity } from "./sharePointPeople";

export interface PersonCodecOptions {
  multiple: boolean;
  people: PeopleDirectory;
  /** Atlassian account id → identity, from the profile's mention format (inverse of its `accounts`). */
  identityOfAccount: ReadonlyMap<string, string>;
}

/**
 * Person or Group, single or multiple. Canonical: the identity (lower-cased e-mail, or claims for accounts without
 * one); multiple → the sorted set; none → `null`. Graph gives `{Name}LookupId` (single) or `[{LookupId, Email}]`
 * (multiple); ids are turned into identities through the site's people directory. Confluence shows e-mail addresses
 * as text, or mentions for the accounts the profile's mention format maps; a mention of an unmapped account and a
 * person the site does not know are refused, never guessed from a display name.
 */
export function personCodec(name: string, options: PersonCodecOptions): TypeCodec {
  const { multiple, people } = options;
  const lookupKey = `${name}LookupId`;
  const check = (value: CanonicalValue): Outcome<string[]> => {
    if (value === null) return success([]);
    if (!multiple && typeof value === "string") return success([value]);
    if (multiple && Array.isArray(value) && value.every((item): item is string => typeof item === "string"))
      return success(value);
    return failure("FIELD_VALUE_INVALID", `${quote(value)} is not ${multiple ? "a set of people" : "a person"}`);
  };
  const fromIdentities = (identities: string[]): Outcome<CanonicalValue> => {
    const set = canonicalSet(identities);
    if (multiple || set === null) return success(set);
    if (set.length > 1)
      return failure("FIELD_VALUE_INVALID", `${set.length} people given; this column holds one person`);
    return success(set[0] ?? null);
  };
  return {
    kind: multiple ? "personMulti" : "person",
    sharePointKeys: multiple ? [name] : [lookupKey],
    fromSharePoint(fields) {
      const identities: string[] = [];
      for (const entry of peopleEntries(fields[name], fields[lookupKey])) {
        const identity =
          personIdentity({ email: entry.email, loginName: entry.loginName }) ??
          (entry.lookupId === undefined ? undefined : people.identityOf(entry.lookupId));
        if (identity === undefined) {
          return failure(
            "FIELD_REFERENCE_UNRESOLVED",
            `person ${entry.lookupId === undefined ? quote(entry) : `with lookup id ${entry.lookupId}`} is not in the site's people directory`,
          );
        }
        identities.push(identity);
      }
      return fromIdentities(identities);
    },
    fromConfluence(cell) {
      const identities = readIdentities(cell, options);
      return identities.ok ? fromIdentities(identities.value) : identities;
    },
    toSharePoint(value) {
      const checked = check(value);
      if (!checked.ok) return checked;
      const ids: Array<number | string> = [];
      for (const identity of checked.value) {
        const id = people.lookupIdOf(identity);
        if (id === undefined)
          return failure(
            "FIELD_REFERENCE_UNRESOLVED",
            `${quote(identity)} is not a user of the SharePoint site (not in its people directory)`,
          );
        ids.push(/^\d+$/.test(id) ? Number(id) : id);
      }
      if (multiple) return success({ [`${lookupKey}@odata.type`]: "Collection(Edm.Int32)", [lookupKey]: ids });
      return success({ [lookupKey]: ids[0] ?? null });
    },
    toConfluence(value, style) {
      const checked = check(value);
      if (!checked.ok) return checked;
      return renderPeople(checked.value, style);
    },
  };
}

interface PeopleEntry {
  lookupId?: string;
  email?: string;
  loginName?: string;
}

/** Graph's shapes: `XLookupId: "10"`, `X: [{LookupId: 10, LookupValue, Email}]`, and the same object alone. */
function peopleEntries(value: unknown, lookupId: unknown): PeopleEntry[] {
  if (Array.isArray(value)) return value.map(toEntry);
  if (value !== undefined && value !== null && typeof value === "object") return [toEntry(value)];
  if (Array.isArray(lookupId)) return lookupId.map((id) => ({ lookupId: String(id) }));
  if (typeof lookupId === "string" || typeof lookupId === "number")
    return String(lookupId) === "" ? [] : [{ lookupId: String(lookupId) }];
  return [];
}

function toEntry(item: unknown): PeopleEntry {
  if (typeof item !== "object" || item === null) return { lookupId: String(item) };
  const record = item as Record<string, unknown>;
  const entry: PeopleEntry = {};
  if (record.LookupId !== undefined) entry.lookupId = String(record.LookupId);
  if (typeof record.Email === "string" && record.Email !== "") entry.email = record.Email;
  if (typeof record.LoginName === "string") entry.loginName = record.LoginName;
  return entry;
}

function readIdentities(cell: CellContent, options: PersonCodecOptions): Outcome<string[]> {
  const identities: string[] = [];
  for (const reading of cell.readings) {
    if (reading.kind !== "mention") continue;
    const identity = options.identityOfAccount.get(reading.accountId);
    if (identity === undefined) {
      return failure(
        "FIELD_REFERENCE_UNRESOLVED",
        `mention of account ${quote(reading.accountId)} has no e-mail in the profile's mention format (format.accounts)`,
      );
    }
    identities.push(identity);
  }
  for (const part of cell.textOutsideMentions.split(/[,;\n]/)) {
    const text = normaliseText(part);
    if (text === "") continue;
    const identity = isEmailAddress(text)
      ? text.toLowerCase()
      : (identityFromClaims(text) ?? (options.people.knows(text.toLowerCase()) ? text.toLowerCase() : undefined));
    if (identity === undefined)
      return failure(
        "FIELD_VALUE_INVALID",
        `${quote(text)} is not an e-mail address or a known account (people are written by e-mail)`,
      );
    identities.push(identity);
  }
  return success(identities);
}

function renderPeople(identities: readonly string[], style: RenderStyle): Outcome<string[]> {
  const parts: string[] = [];
  for (const identity of identities) {
    const accountId = style.kind === "mention" ? style.accountFor(identity) : undefined;
    if (accountId !== undefined) {
      parts.push(renderMention(accountId));
      continue;
    }
    if (!isStorableText(identity) || /[,;\n]/.test(identity))
      return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${quote(identity)} cannot be written as text in a people cell`);
    parts.push(escapeText(identity));
  }
  return success([parts.join(", ")]);
}
