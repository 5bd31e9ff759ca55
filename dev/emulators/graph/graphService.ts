import { randomUUID } from "node:crypto";
import type { ColumnDefinition } from "../../../shared/mapping/columnDefinition";
import { EmulatorClock } from "./emulatorClock";
import { applyFieldWrite, type FieldWriteError, type LookupResolver, type WriteMode } from "./fieldWrites";
import { formatPath, type GraphSeed, GraphSeedError, type GraphSettings, graphSettingsSchema } from "./graphSeed";
import type { FieldsView } from "./itemView";
import { type ColumnKind, columnAsListed } from "./listColumns";
import { type Actor, itemETag, ListState, type Person, type StoredItem } from "./listStore";
import { ResourceUnitMeter } from "./resourceUnits";
import { SubscriptionHub } from "./subscriptionHub";

export interface SiteState {
  id: string;
  displayName: string;
  hostname: string;
  createdMs: number;
  /** The site's time zone (regional settings), where date-only values are midnight. */
  timeZone: string;
  /** Site permissions of apps holding `Sites.Selected`, by app id. */
  grants: Map<string, ReadonlySet<"read" | "write" | "manage" | "fullcontrol">>;
  lists: ListState[];
  /**
   * The site's hidden user list ("User Information List"): one item per seed person, its id the person's lookupId.
   * Found by title or id like any list, but not in the site's list of lists.
   */
  userInformationList: ListState;
}

const USER_INFORMATION_LIST = "User Information List";
const USER_INFORMATION_COLUMNS: ColumnDefinition[] = [
  { name: "EMail", displayName: "Work email", text: { maxLength: 255 } },
  { name: "Name", displayName: "Account", text: { maxLength: 255 } },
];

/** The person UI edits are attributed to when the admin call names nobody. */
const DEFAULT_PERSON: Person = {
  lookupId: "11",
  displayName: "Megan Bowen",
  email: "MeganB@contoso.onmicrosoft.com",
  id: "48d31887-5fad-4d73-a9f5-3c356e68a038",
};

/**
 * Everything the Graph emulator holds — sites, lists, items, subscriptions, the clock and the throttling meter — and
 * the mutations shared by Graph calls and person edits (both bump eTags, feed delta and notify subscribers).
 */
export class GraphService {
  readonly tenantId: string;
  readonly clock = new EmulatorClock();
  readonly meter = new ResourceUnitMeter();
  readonly hub: SubscriptionHub;
  readonly sites: SiteState[] = [];
  readonly people: Person[];
  readonly #apps = new Map<string, string>();
  readonly #roles = new Map<string, readonly string[]>();
  readonly userAgents = new Set<string>();
  settings: GraphSettings;
  /** Delta tokens issued before this emulator time answer 410 (`POST /_admin/delta/expire`). */
  deltaExpiredBeforeMs = 0;

  constructor(seed: GraphSeed) {
    this.tenantId = seed.tenantId;
    this.settings = seed.settings;
    this.people = seed.people.map((p) => ({ ...p, id: p.id ?? randomUUID() }));
    for (const client of seed.clients) {
      this.#apps.set(client.clientId, client.displayName ?? "ConfluenceSync");
      this.#roles.set(client.clientId, client.roles);
    }
    if (seed.managedIdentity) {
      this.#apps.set(
        seed.managedIdentity.clientId,
        seed.managedIdentity.displayName ?? "ConfluenceSync (managed identity)",
      );
      this.#roles.set(seed.managedIdentity.clientId, seed.managedIdentity.roles);
    }
    this.hub = new SubscriptionHub({
      tenantId: seed.tenantId,
      settings: () => this.settings,
      now: () => this.clock.now(),
      findList: (siteId, listId) => {
        const found = this.findList(siteId, listId);
        return found ? { siteId: found.site.id, listId: found.list.id } : undefined;
      },
    });
    this.#load(seed);
  }

  #load(seed: GraphSeed): void {
    const now = this.clock.now();
    const seeder: Actor = { kind: "person", person: this.people[0] ?? DEFAULT_PERSON };
    seed.sites.forEach((siteSeed, s) => {
      const userInformationList = new ListState({
        id: randomUUID(),
        displayName: USER_INFORMATION_LIST,
        siteId: siteSeed.id,
        columns: USER_INFORMATION_COLUMNS,
        nowMs: now,
      });
      for (const person of this.people) {
        const values = {
          Title: person.displayName,
          EMail: person.email,
          Name: `i:0#.f|membership|${person.email.toLowerCase()}`,
        };
        userInformationList.create(values, seeder, now, Number(person.lookupId));
      }
      const site: SiteState = {
        id: siteSeed.id,
        displayName: siteSeed.displayName,
        hostname: siteSeed.id.split(",")[0]!,
        createdMs: now,
        timeZone: siteSeed.timeZone,
        grants: new Map(siteSeed.permissions.map((grant) => [grant.appId, new Set(grant.roles)])),
        lists: [],
        userInformationList,
      };
      this.sites.push(site);
      siteSeed.lists.forEach((listSeed) => {
        site.lists.push(
          new ListState({
            id: listSeed.id,
            displayName: listSeed.displayName,
            siteId: site.id,
            columns: listSeed.columns,
            nowMs: now,
            contentApproval: listSeed.contentApproval,
          }),
        );
      });
      // Items after all lists exist, so lookups can resolve across lists.
      siteSeed.lists.forEach((listSeed, l) => {
        const list = site.lists[l]!;
        listSeed.items.forEach((itemSeed, i) => {
          const { Created, Modified, ...fields } = itemSeed.fields;
          const written = applyFieldWrite(list, {}, fields, {
            mode: "person",
            resolve: this.lookupResolver(site),
            siteTimeZone: site.timeZone,
          });
          if (!written.ok)
            throw new GraphSeedError(
              `invalid graph seed:\n  ${formatPath(["graph", "sites", s, "lists", l, "items", i, "fields"])}: ${written.error.message}`,
            );
          const item = list.create(
            written.values,
            seeder,
            timestamp(Created, now),
            Number(itemSeed.id),
            itemSeed.moderationStatus ?? 0,
          );
          item.modifiedMs = timestamp(Modified, item.createdMs);
        });
      });
    });
  }

  findSite(siteId: string): SiteState | undefined {
    const wanted = siteId.toLowerCase();
    return this.sites.find((s) => s.id.toLowerCase() === wanted);
  }

  /** A list by id or, as Graph also allows, by display name. */
  findList(siteId: string, listIdOrName: string): { site: SiteState; list: ListState } | undefined {
    const site = this.findSite(siteId);
    const wanted = listIdOrName.toLowerCase();
    const all = site === undefined ? [] : [...site.lists, site.userInformationList];
    const list =
      all.find((l) => l.id.toLowerCase() === wanted) ?? all.find((l) => l.displayName.toLowerCase() === wanted);
    return site && list ? { site, list } : undefined;
  }

  /**
   * What an app may do on a site, from the application permissions its client was granted
   * (docs/emulators.md#graph-permissions-and-content-approval): tenant-wide `Sites.*.All` roles, or `Sites.Selected`
   * plus the site's own grant to the app. Only
   * `Sites.Manage.All` and `Sites.FullControl.All` (or a `manage` / `fullcontrol` site grant) see and approve items
   * pending content approval. An app the seed does not know gets `Sites.ReadWrite.All`.
   */
  access(appId: string, site: SiteState): SiteAccess {
    const roles = new Set(this.#roles.get(appId) ?? ["Sites.ReadWrite.All"]);
    const grant = roles.has("Sites.Selected") ? (site.grants.get(appId) ?? new Set()) : new Set<string>();
    const manage =
      roles.has("Sites.Manage.All") ||
      roles.has("Sites.FullControl.All") ||
      grant.has("manage") ||
      grant.has("fullcontrol");
    const write = manage || roles.has("Sites.ReadWrite.All") || grant.has("write");
    const read = write || roles.has("Sites.Read.All") || grant.has("read");
    const tenantWrite =
      roles.has("Sites.ReadWrite.All") || roles.has("Sites.Manage.All") || roles.has("Sites.FullControl.All");
    return { read, write, manage, tenantWrite };
  }

  /** Whether an app sees an item: with content approval, only approved ones unless it may approve. */
  visible(appId: string, site: SiteState, list: ListState, item: StoredItem): boolean {
    return !list.contentApproval || item.moderationStatus === 0 || this.access(appId, site).manage;
  }

  /** The approval status a write leaves: approved only when the writer may approve, else pending. */
  #moderationAfterWrite(site: SiteState, actor: Actor, explicit: number | undefined): number {
    if (explicit !== undefined) return explicit;
    return actor.kind === "app" && this.access(actor.appId, site).manage ? 0 : 2;
  }

  appActor(appId: string): Actor {
    return { kind: "app", appId, displayName: this.#apps.get(appId) ?? "Unknown application" };
  }

  personActor(selector: { email?: string; lookupId?: string } | undefined): Actor {
    const person =
      (selector?.email && this.people.find((p) => p.email.toLowerCase() === selector.email!.toLowerCase())) ||
      (selector?.lookupId && this.people.find((p) => p.lookupId === selector.lookupId)) ||
      this.people[0] ||
      DEFAULT_PERSON;
    return { kind: "person", person };
  }

  lookupResolver(site: SiteState): LookupResolver {
    return (column: ColumnDefinition, kind: ColumnKind, id: number) => {
      if (kind === "person" || kind === "multiPerson") {
        const person = this.people.find((p) => p.lookupId === String(id));
        return person ? { LookupValue: person.displayName, Email: person.email } : { LookupValue: String(id) };
      }
      const target = column.lookup?.listId
        ? site.lists.find((l) => l.id.toLowerCase() === column.lookup!.listId!.toLowerCase())
        : undefined;
      const value = target?.item(id)?.values[column.lookup?.columnName ?? "Title"];
      return { LookupValue: value === undefined ? String(id) : String(value) };
    };
  }

  /** Display value of a single lookup / person column for `select=Name`. */
  lookupValue(site: SiteState): (list: ListState, columnName: string, lookupId: string) => string | undefined {
    return (list, columnName, lookupId) => {
      const found = list.column(columnName);
      return found ? this.lookupResolver(site)(found.column, found.kind, Number(lookupId)).LookupValue : undefined;
    };
  }

  /** How `fields` render for `expand=fields(select=…)`; no select = the default set. */
  fieldsView(site: SiteState, select: ReadonlySet<string> | undefined): FieldsView {
    return { lookupValue: this.lookupValue(site), ...(select ? { select } : {}) };
  }

  /** Adds an empty list to a site at run time (a test's fresh list on a running emulator); its items come later. */
  addList(siteId: string, init: { id: string; displayName: string; columns: ColumnDefinition[] }): ListState {
    const site = this.findSite(siteId);
    if (site === undefined) throw new Error(`no site ${siteId}`);
    const list = new ListState({ ...init, siteId: site.id, nowMs: this.clock.now() });
    site.lists.push(list);
    return list;
  }

  /** Removes a list added by `addList` (or seeded) from its site, with its items. */
  removeList(siteId: string, listId: string): void {
    const site = this.findSite(siteId);
    if (site !== undefined) site.lists = site.lists.filter((list) => list.id !== listId);
  }

  createItem(
    site: SiteState,
    list: ListState,
    fields: Record<string, unknown>,
    actor: Actor,
    mode: WriteMode,
    moderationStatus?: number,
    request: { apiVersion21?: boolean } = {},
  ): { ok: true; item: StoredItem } | { ok: false; error: FieldWriteError } {
    const written = applyFieldWrite(list, {}, fields, {
      mode,
      resolve: this.lookupResolver(site),
      hyperlinks: { rule: this.settings.hyperlinkWrites, apiVersion21: request.apiVersion21 === true },
      siteTimeZone: site.timeZone,
    });
    if (!written.ok) return written;
    const item = list.create(
      written.values,
      actor,
      this.clock.now(),
      undefined,
      this.#moderationAfterWrite(site, actor, moderationStatus),
    );
    this.hub.listChanged(site.id, list.id);
    return { ok: true, item };
  }

  updateItem(
    site: SiteState,
    list: ListState,
    item: StoredItem,
    fields: Record<string, unknown>,
    actor: Actor,
    mode: WriteMode,
    moderationStatus?: number,
    request: { apiVersion21?: boolean } = {},
  ): { ok: true } | { ok: false; error: FieldWriteError } {
    const written = applyFieldWrite(list, item.values, fields, {
      mode,
      resolve: this.lookupResolver(site),
      hyperlinks: { rule: this.settings.hyperlinkWrites, apiVersion21: request.apiVersion21 === true },
      siteTimeZone: site.timeZone,
    });
    if (!written.ok) return written;
    list.update(
      item,
      written.values,
      actor,
      this.clock.now(),
      this.#moderationAfterWrite(site, actor, moderationStatus),
    );
    this.hub.listChanged(site.id, list.id);
    return { ok: true };
  }

  deleteItem(site: SiteState, list: ListState, item: StoredItem): void {
    list.delete(item, this.clock.now());
    this.hub.listChanged(site.id, list.id);
  }

  /** Merges `patch` into the settings; a `null` value resets that knob to its default (or unset). */
  updateSettings(patch: unknown): GraphSettings {
    const merged: Record<string, unknown> = { ...this.settings };
    for (const [key, value] of Object.entries(typeof patch === "object" && patch !== null ? patch : {})) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    this.settings = graphSettingsSchema.parse(merged);
    return this.settings;
  }

  /** Everything, in seed shapes plus what Graph adds (eTags, versions), for `GET /_admin/state`. No secrets. */
  state(): unknown {
    return {
      tenantId: this.tenantId,
      now: new Date(this.clock.now()).toISOString(),
      clients: [...this.#apps.entries()].map(([clientId, displayName]) => ({ clientId, displayName })),
      people: this.people,
      settings: this.settings,
      sites: this.sites.map((site) => ({
        id: site.id,
        displayName: site.displayName,
        lists: site.lists.map((list) => ({
          id: list.id,
          displayName: list.displayName,
          changeSeq: list.changeSeq,
          columns: list.columns.map(columnAsListed),
          items: list.liveItems().map((item) => ({
            id: String(item.id),
            eTag: itemETag(item),
            version: item.version,
            ...(list.contentApproval ? { moderationStatus: item.moderationStatus } : {}),
            lastModifiedBy:
              item.editor.kind === "person"
                ? { user: item.editor.person.displayName }
                : { application: item.editor.displayName },
            fields: item.values,
          })),
        })),
      })),
      subscriptions: this.hub.state(),
      deliveries: this.hub.deliveries(),
      userAgents: [...this.userAgents],
    };
  }
}

/** What an app may do on a site (see `GraphService.access`). */
export interface SiteAccess {
  readonly read: boolean;
  readonly write: boolean;
  /** Sees and approves items pending content approval. */
  readonly manage: boolean;
  /** Holds a tenant-wide write role (`Sites.ReadWrite.All` or higher), as list subscriptions are documented with. */
  readonly tenantWrite: boolean;
}

function timestamp(value: unknown, fallback: number): number {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? fallback : ms;
}
