import type { z } from "zod";
import { createRetryPolicy, type RetryableFailure, type RetryPolicyOptions } from "../resilience";
import { type Clock, type Logger, SecretRedactor, silentLogger, systemClock } from "../runtime";
import type { AccessToken } from "./accessToken";
import { type ConfluenceAuthClient, DEFAULT_CONFLUENCE_API_BASE_URL } from "./confluenceAuthClient";
import { ConfluenceError, ConfluenceErrorCode, isConfluenceError } from "./confluenceError";
import {
  ConfluenceHttp,
  type ConfluenceRequest,
  type ConfluenceResponse,
  type ConfluenceTransportOptions,
  callLabel,
  type RateLimitState,
} from "./confluenceHttp";
import {
  contentPropertySchema,
  multiEntitySchema,
  type PageWire,
  pageSchema,
  searchResponseSchema,
  spaceSchema,
  treePageSchema,
} from "./confluenceSchemas";
import type { ConfluenceSiteTarget } from "./confluenceSite";
import type { ConfluenceTokenManager } from "./confluenceTokenManager";
import { PageVersionConflict, parseVersionConflictTitle } from "./pageVersionConflict";

/** A page as the sync sees it (from v2 PageSingle/PageBulk). */
export interface ConfluencePage {
  id: string;
  status: string;
  title: string;
  spaceId: string;
  parentId: string | null;
  /** The current (or requested) version; `createdAt` is the page's last-modified instant. */
  version: { number: number; createdAt: string; message: string; minorEdit: boolean; authorId?: string };
  /** Storage-format XHTML; undefined when the body was not requested. */
  storage?: string;
  /** Site-relative web UI path, e.g. `/spaces/TEAM/pages/123/Title`. */
  webui?: string;
  /** The site's `/wiki` base URL (single-page answers carry it): `base + webui` is the page's address. */
  base?: string;
}

export interface ConfluenceSpace {
  id: string;
  key: string;
  name: string;
  homepageId: string | null;
}

/** A page content property: sync metadata stored next to the page (never secrets: readable by page viewers). */
export interface ContentProperty<T = unknown> {
  id: string;
  key: string;
  value: T;
  version: { number: number; createdAt: string; message: string };
}

export interface SearchHit {
  id: string;
  type: string;
  title: string;
  /** ISO instant, when the search returned one. */
  lastModified?: string;
  /** The version number the search index holds (asked for with `expandVersion`); it can lag the page's own. */
  version?: number;
}

/** A page as the page tree lists it: membership and status only, never a version (docs/references.md#confluence-page-tree). */
export interface TreePage {
  id: string;
  status: string;
  title: string;
  /** The page it sits under, when the listing says (descendants do; children are the parent's). */
  parentId: string | null;
}

export type PageSort =
  | "id"
  | "-id"
  | "created-date"
  | "-created-date"
  | "modified-date"
  | "-modified-date"
  | "title"
  | "-title";

export interface ListPagesQuery {
  /** List the pages of one space (`/spaces/{id}/pages`); otherwise `/pages` with the filters below. */
  spaceId?: string;
  ids?: readonly string[];
  title?: string;
  status?: readonly ("current" | "archived" | "trashed" | "deleted")[];
  sort?: PageSort;
  /** Page size, 1..250 (Confluence clamps); default 250 to keep the call count low. */
  limit?: number;
  /** Include storage bodies (default false: `"body": {}`). */
  storage?: boolean;
}

export interface ConfluenceClientOptions extends ConfluenceTransportOptions {
  profileKey: string;
  /** The profile's site: a pinned cloudId is used as is; a site URL is resolved once through accessible-resources. */
  site: ConfluenceSiteTarget;
  tokens: ConfluenceTokenManager;
  /** Needed only when `site` has no cloudId. */
  auth?: ConfluenceAuthClient;
  /** Atlassian's API gateway (profile endpoint `confluenceApiBaseUrl`, default `https://api.atlassian.com`). */
  apiBaseUrl?: string;
  clock?: Clock;
  logger?: Logger;
  redactor?: SecretRedactor;
  /** Bounds of the shared retry policy (defaults from shared/resilience). */
  retry?: Omit<RetryPolicyOptions, "retryOn">;
}

/**
 * Confluence Cloud's REST API for one profile, through the API gateway with 3LO tokens
 * (docs/references.md#confluence-api-gateway-and-scopes and docs/references.md#confluence-rest-api).
 *
 * - One retry policy for every call (the shared one): 429/503/5xx/timeouts, bounded, honouring `Retry-After`.
 *   Creates (POST) are retried only when the server certainly did not act (429, or 503 with `Retry-After`); a page
 *   PUT is safe to retry because its version number makes a repeated write a 409, never a second version.
 * - A 401 gets exactly one token refresh and one more attempt; a second 401 fails with `Unauthorized`.
 * - Failures of the token manager (dead grant, missing secrets) are never retried here: the auth client has
 *   already applied the policy to its own calls, and retrying twice would multiply the budget.
 */
export class ConfluenceClient {
  readonly #options: ConfluenceClientOptions;
  readonly #http: ConfluenceHttp;
  readonly #apiBaseUrl: string;
  readonly #logger: Logger;
  readonly #redactor: SecretRedactor;
  #cloudId: Promise<string> | undefined;
  #requests = 0;
  #points = 0;

  constructor(options: ConfluenceClientOptions) {
    this.#options = options;
    this.#redactor = options.redactor ?? new SecretRedactor();
    this.#logger = options.logger ?? silentLogger;
    this.#http = new ConfluenceHttp({ ...options, clock: options.clock ?? systemClock, redactor: this.#redactor });
    this.#apiBaseUrl = (options.apiBaseUrl ?? DEFAULT_CONFLUENCE_API_BASE_URL).replace(/\/+$/, "");
    if (options.site.cloudId !== undefined) this.#cloudId = Promise.resolve(options.site.cloudId);
  }

  get profileKey(): string {
    return this.#options.profileKey;
  }

  /**
   * HTTP requests this client has sent to the Confluence API (every attempt, including the one repeated after a 401).
   * Token refreshes and the site lookup go to Atlassian's auth endpoints and are not counted.
   */
  get requestCount(): number {
    return this.#requests;
  }

  /**
   * Rate-limit points this client's calls cost as Atlassian counts them (docs/pages-mode.md §8): a GET 1 plus one per
   * object it returned (a single page or property: 1 + 1), any write 1. Refused calls (429) cost nothing.
   */
  get pointsSpent(): number {
    return this.#points;
  }

  /** What the rate-limit headers said on this client's last answer that carried them. */
  get rateLimit(): RateLimitState | undefined {
    return this.#http.lastRateLimit;
  }

  /** The site's cloudId (resolved once per client when the profile names only a site URL). */
  async cloudId(): Promise<string> {
    this.#cloudId ??= this.#resolveCloudId().catch((error: unknown) => {
      this.#cloudId = undefined;
      throw error;
    });
    return this.#cloudId;
  }

  /** `GET /wiki/api/v2/pages/{id}?body-format=storage` — the page with its storage body (or an older `version`). */
  async getPage(pageId: string, options: { version?: number; storage?: boolean } = {}): Promise<ConfluencePage> {
    const response = await this.#call("read", {
      method: "GET",
      path: `/wiki/api/v2/pages/${encodeURIComponent(pageId)}`,
      query: { "body-format": options.storage === false ? undefined : "storage", version: options.version },
    });
    return toPage(this.#parse(pageSchema, response, "GET", `/wiki/api/v2/pages/${pageId}`));
  }

  /** Every page matching `query`, following `_links.next` page by page (only one page of results is held at a time). */
  async *listPages(query: ListPagesQuery = {}): AsyncGenerator<ConfluencePage> {
    const path =
      query.spaceId !== undefined
        ? `/wiki/api/v2/spaces/${encodeURIComponent(query.spaceId)}/pages`
        : "/wiki/api/v2/pages";
    const listSchema = multiEntitySchema(pageSchema);
    const params = {
      id: query.ids?.join(","),
      title: query.title,
      status: query.status?.join(","),
      sort: query.sort,
      limit: query.limit ?? 250,
      "body-format": query.storage ? "storage" : undefined,
    };
    const parse = (response: ConfluenceResponse) => this.#parse(listSchema, response, "GET", path);
    for await (const list of this.#pagesOf(path, params, parse, v2Next))
      for (const page of list.results) yield toPage(page);
  }

  /** `POST /wiki/api/v2/pages` (Confluence answers 200 with version 1). Without `parentId` the page goes under the space homepage. */
  async createPage(input: {
    spaceId: string;
    title: string;
    storage: string;
    parentId?: string;
    status?: "current" | "draft";
  }): Promise<ConfluencePage> {
    const response = await this.#call("create", {
      method: "POST",
      path: "/wiki/api/v2/pages",
      body: {
        spaceId: input.spaceId,
        status: input.status ?? "current",
        title: input.title,
        ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
        body: { representation: "storage", value: input.storage },
      },
    });
    return toPage(this.#parse(pageSchema, response, "POST", "/wiki/api/v2/pages"));
  }

  /**
   * `PUT /wiki/api/v2/pages/{id}` with `version.number` = `version` (must be the current version + 1). A stale
   * version is a PageVersionConflict carrying the page's current version; nothing was written. When a retried PUT
   * meets its own earlier, lost-but-applied attempt, the conflict reports `currentVersion === providedVersion`: the
   * caller re-reads and compares instead of writing again (at most one new version per page per run).
   */
  async updatePage(input: {
    id: string;
    title: string;
    storage: string;
    version: number;
    message?: string;
    status?: "current" | "draft" | "archived";
  }): Promise<ConfluencePage> {
    const path = `/wiki/api/v2/pages/${encodeURIComponent(input.id)}`;
    try {
      const response = await this.#call("update", {
        method: "PUT",
        path,
        body: {
          id: input.id,
          status: input.status ?? "current",
          title: input.title,
          body: { representation: "storage", value: input.storage },
          version: { number: input.version, ...(input.message !== undefined ? { message: input.message } : {}) },
        },
      });
      return toPage(this.#parse(pageSchema, response, "PUT", path));
    } catch (error) {
      if (isConfluenceError(error, ConfluenceErrorCode.Conflict)) {
        const versions = parseVersionConflictTitle(error.message);
        // A 409 without the version text is the transient "concurrently updated" kind: still a conflict to re-read.
        throw new PageVersionConflict(
          input.id,
          versions?.current,
          input.version,
          `${error.message}${versions ? "" : " (page version unknown)"}`,
          error,
        );
      }
      throw error;
    }
  }

  /** `DELETE /wiki/api/v2/pages/{id}`: moves the page to the trash. */
  async deletePage(pageId: string): Promise<void> {
    await this.#call("update", { method: "DELETE", path: `/wiki/api/v2/pages/${encodeURIComponent(pageId)}` });
  }

  /** `GET /wiki/api/v2/spaces?keys=KEY`; undefined when no visible space has the key. */
  async getSpaceByKey(key: string): Promise<ConfluenceSpace | undefined> {
    const response = await this.#call("read", { method: "GET", path: "/wiki/api/v2/spaces", query: { keys: key } });
    const space = this.#parse(multiEntitySchema(spaceSchema), response, "GET", "/wiki/api/v2/spaces").results.find(
      (s) => s.key === key,
    );
    return space ? { id: space.id, key: space.key, name: space.name, homepageId: space.homepageId ?? null } : undefined;
  }

  /** The page's property with this key; undefined when it has none. */
  async getProperty<T = unknown>(pageId: string, key: string): Promise<ContentProperty<T> | undefined> {
    const path = `/wiki/api/v2/pages/${encodeURIComponent(pageId)}/properties`;
    const response = await this.#call("read", { method: "GET", path, query: { key } });
    const found = this.#parse(multiEntitySchema(contentPropertySchema), response, "GET", path).results.find(
      (p) => p.key === key,
    );
    return found ? toProperty<T>(found) : undefined;
  }

  /** Creates the property (version 1). A key that already exists on the page is a ConfluenceError `Conflict`. */
  async createProperty<T>(pageId: string, key: string, value: T): Promise<ContentProperty<T>> {
    const path = `/wiki/api/v2/pages/${encodeURIComponent(pageId)}/properties`;
    const response = await this.#call("create", { method: "POST", path, body: { key, value } });
    return toProperty<T>(this.#parse(contentPropertySchema, response, "POST", path));
  }

  /** Replaces the value of `property` (as last read) with version + 1; a stale read is a ConfluenceError `Conflict`. */
  async updateProperty<T>(
    pageId: string,
    property: Pick<ContentProperty, "id" | "key" | "version">,
    value: T,
    message?: string,
  ): Promise<ContentProperty<T>> {
    const path = `/wiki/api/v2/pages/${encodeURIComponent(pageId)}/properties/${encodeURIComponent(property.id)}`;
    const response = await this.#call("update", {
      method: "PUT",
      path,
      body: {
        key: property.key,
        value,
        version: { number: property.version.number + 1, ...(message !== undefined ? { message } : {}) },
      },
    });
    return toProperty<T>(this.#parse(contentPropertySchema, response, "PUT", path));
  }

  /** Creates or updates the property from its current version (one read, one write). */
  async setProperty<T>(pageId: string, key: string, value: T): Promise<ContentProperty<T>> {
    const existing = await this.getProperty(pageId, key);
    return existing ? this.updateProperty(pageId, existing, value) : this.createProperty(pageId, key, value);
  }

  /**
   * The pages under `parentId`: its children (`GET /pages/{id}/children`), or every page below it (`/descendants`,
   * walked again from the deepest rows when a tree is deeper than one call's `depth`). Cursor-walked with
   * `limit=250` (the default is 25: a client reading one page of results sees the first 25 children only).
   */
  async *listTree(parentId: string, scope: "children" | "descendants"): AsyncGenerator<TreePage> {
    const depth = 10;
    const roots = [parentId];
    for (let root = roots.shift(); root !== undefined; root = roots.shift()) {
      const kind = scope === "children" ? "children" : "descendants";
      const path = `/wiki/api/v2/pages/${encodeURIComponent(root)}/${kind}`;
      const listSchema = multiEntitySchema(treePageSchema);
      const parse = (response: ConfluenceResponse) => this.#parse(listSchema, response, "GET", path);
      const query = { limit: 250, ...(scope === "descendants" ? { depth } : {}) };
      for await (const list of this.#pagesOf(path, query, parse, v2Next)) {
        for (const row of list.results) {
          if (row.type !== undefined && row.type !== "page") continue;
          if (scope === "descendants" && row.depth === depth) roots.push(row.id);
          yield {
            id: row.id,
            status: row.status ?? "current",
            title: row.title ?? "",
            parentId: row.parentId ?? (scope === "children" ? root : null),
          };
        }
      }
    }
  }

  /**
   * v1 CQL search (`GET /wiki/rest/api/search`), following `_links.next` — which is relative to `_links.context`
   * (`/wiki`), unlike v2's links — with the same `limit` throughout (a cursor is not documented to survive another
   * page size). The index lags writes by up to minutes, and its versions (`expandVersion`) can be stale.
   */
  async *search(cql: string, options: { limit?: number; expandVersion?: boolean } = {}): AsyncGenerator<SearchHit> {
    const path = "/wiki/rest/api/search";
    const query = { cql, limit: options.limit ?? 100, ...(options.expandVersion ? { expand: "content.version" } : {}) };
    const parse = (response: ConfluenceResponse) => this.#parse(searchResponseSchema, response, "GET", path);
    // v1 links are relative to `_links.context` (`/wiki`), not to the site.
    const nextOf = (body: z.infer<typeof searchResponseSchema>) =>
      body._links?.next === undefined ? undefined : siteRelative(body._links.next, body._links.context ?? "/wiki");
    for await (const body of this.#pagesOf(path, query, parse, nextOf)) {
      for (const result of body.results) {
        if (!result.content) continue;
        yield {
          id: result.content.id,
          type: result.content.type,
          title: result.content.title,
          ...(result.lastModified ? { lastModified: result.lastModified } : {}),
          ...(result.content.version ? { version: result.content.version.number } : {}),
        };
      }
    }
  }

  /** v1 `POST /wiki/rest/api/content/{id}/label` (labels have no v2 write endpoint). */
  async addLabels(pageId: string, names: readonly string[]): Promise<void> {
    await this.#call("update", {
      method: "POST",
      path: `/wiki/rest/api/content/${encodeURIComponent(pageId)}/label`,
      body: names.map((name) => ({ prefix: "global", name })),
    });
  }

  async #resolveCloudId(): Promise<string> {
    const { auth, site, profileKey, tokens } = this.#options;
    if (!auth)
      throw new Error(
        `profile "${profileKey}": a ConfluenceAuthClient is needed to resolve the site ${site.siteUrl ?? ""} (or pin its cloudId)`,
      );
    const token = await tokens.getAccessToken(profileKey);
    try {
      return (await auth.resolveSite(token.value, site, profileKey)).cloudId;
    } catch (error) {
      // Same rule as API calls: a 401 earns one fresh token.
      if (!isConfluenceError(error) || error.status !== 401) throw error;
      const fresh = await tokens.getAccessToken(profileKey, { rejected: token.value });
      return (await auth.resolveSite(fresh.value, site, profileKey)).cloudId;
    }
  }

  /**
   * One API call under the retry policy, with the 401 → refresh-once rule. `kind` decides what may be retried:
   * reads and version-guarded updates on any transient failure; creates only when the server certainly did not act.
   */
  /**
   * A listing, one page of results at a time: the first request with `query`, then each link `nextOf` finds in the
   * page before (it carries its own query), until there is none.
   */
  async *#pagesOf<P>(
    path: string,
    query: ConfluenceRequest["query"],
    parse: (response: ConfluenceResponse) => P,
    nextOf: (page: P) => string | undefined,
  ): AsyncGenerator<P> {
    let response = await this.#call("read", { method: "GET", path, query });
    for (;;) {
      const page = parse(response);
      yield page;
      const next = nextOf(page);
      if (next === undefined) return;
      response = await this.#call("read", { method: "GET", path: next });
    }
  }

  async #call(
    kind: "read" | "update" | "create",
    spec: { method: ConfluenceRequest["method"]; path: string; query?: ConfluenceRequest["query"]; body?: unknown },
  ): Promise<ConfluenceResponse> {
    const { profileKey, tokens } = this.#options;
    const cloudId = await this.cloudId();
    // `path` is site-relative (`/wiki/...`), possibly with a query (a followed `_links.next`).
    const request: ConfluenceRequest = {
      method: spec.method,
      url: `${this.#apiBaseUrl}/ex/confluence/${encodeURIComponent(cloudId)}${spec.path}`,
      profileKey,
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    };
    const label = callLabel(request);
    const fromTokenManager = new WeakSet<object>();
    const token = async (rejected?: string): Promise<AccessToken> => {
      try {
        return await tokens.getAccessToken(profileKey, rejected === undefined ? {} : { rejected });
      } catch (error) {
        if (typeof error === "object" && error !== null) fromTokenManager.add(error);
        throw error;
      }
    };
    const policy = createRetryPolicy({
      ...this.#options.retry,
      retryOn: (failure) => !fromTokenManager.has(failure) && (kind !== "create" || serverCertainlyDidNotAct(failure)),
      onRetry: (event) => {
        this.#logger.warn("confluence call failed; retrying", { profileKey, call: label, ...event });
        this.#options.retry?.onRetry?.(event);
      },
    });
    const counted = (response: ConfluenceResponse): ConfluenceResponse => {
      this.#points += pointsOf(spec.method, response.data);
      return response;
    };
    return policy.execute(async () => {
      const first = await token();
      try {
        this.#requests += 1;
        return counted(await this.#http.send({ ...request, bearer: first.value }));
      } catch (error) {
        if (!isConfluenceError(error) || error.status !== 401) throw error;
      }
      const second = await token(first.value);
      try {
        this.#requests += 1;
        return counted(await this.#http.send({ ...request, bearer: second.value }));
      } catch (error) {
        if (!isConfluenceError(error) || error.status !== 401) throw error;
        throw new ConfluenceError(
          ConfluenceErrorCode.Unauthorized,
          `${error.message} — refused again after refreshing the access token; the grant probably lacks a scope this call needs`,
          { status: 401, ...(error.serviceCode ? { serviceCode: error.serviceCode } : {}) },
        );
      }
    });
  }

  #parse<T extends z.ZodType>(
    schema: T,
    response: ConfluenceResponse,
    method: ConfluenceRequest["method"],
    path: string,
  ): z.infer<T> {
    return this.#http.parse(schema, response, { method, url: path, profileKey: this.#options.profileKey });
  }
}

/** Atlassian's points for one answered call: writes 1; reads 1 + the objects returned (docs/pages-mode.md §8). */
function pointsOf(method: ConfluenceRequest["method"], data: unknown): number {
  if (method !== "GET") return 1;
  const results = (data as { results?: unknown } | null | undefined)?.results;
  return 1 + (Array.isArray(results) ? results.length : 1);
}

/** 429, or 503 with `Retry-After`: the service refused before doing anything, so even a create may be repeated. */
function serverCertainlyDidNotAct(failure: RetryableFailure): boolean {
  return failure.status === 429 || (failure.status === 503 && failure.retryAfterMs !== undefined);
}

/** A v2 listing's next page, as a site-relative path (v2 links are relative to the site). */
function v2Next(list: { readonly _links?: { readonly next?: string } }): string | undefined {
  return list._links?.next === undefined ? undefined : siteRelative(list._links.next);
}

/**
 * Turns a pagination link into a site-relative path (`/wiki/...`): v2 links already are; v1 search links are
 * relative to `_links.context`; an absolute site URL (`https://site.atlassian.net/wiki/...`) is re-rooted, since a
 * 3LO token only works through the gateway.
 */
export function siteRelative(link: string, context = "/wiki"): string {
  let pathAndQuery = link;
  if (/^https?:\/\//i.test(link)) {
    const url = new URL(link);
    pathAndQuery = `${url.pathname}${url.search}`;
  }
  return pathAndQuery.startsWith(`${context}/`)
    ? pathAndQuery
    : `${context}${pathAndQuery.startsWith("/") ? "" : "/"}${pathAndQuery}`;
}

function toPage(wire: PageWire): ConfluencePage {
  const storage = wire.body?.storage?.value;
  return {
    id: wire.id,
    status: wire.status,
    title: wire.title,
    spaceId: wire.spaceId,
    parentId: wire.parentId ?? null,
    version: {
      number: wire.version.number,
      createdAt: wire.version.createdAt,
      message: wire.version.message,
      minorEdit: wire.version.minorEdit,
      ...(wire.version.authorId !== undefined ? { authorId: wire.version.authorId } : {}),
    },
    ...(storage !== undefined ? { storage } : {}),
    ...(wire._links?.webui !== undefined ? { webui: wire._links.webui } : {}),
    ...(wire._links?.base !== undefined ? { base: wire._links.base } : {}),
  };
}

function toProperty<T>(wire: z.infer<typeof contentPropertySchema>): ContentProperty<T> {
  return {
    id: wire.id,
    key: wire.key,
    value: wire.value as T,
    version: { number: wire.version.number, createdAt: wire.version.createdAt, message: wire.version.message },
  };
}
