import type { Clock } from "../../../shared/runtime";
import type { ConfluenceSeed } from "./confluenceSeed";
import { normalizeStorageLikeConfluence } from "./storageNormalizer";
import { storageXhtmlError } from "./storageXhtml";

/**
 * Everything the emulated site holds — spaces, pages with their full version history, labels and content properties —
 * and the rules Confluence enforces on writes (docs/references.md#confluence-rest-api). Operations return tagged
 * results in the v2 error vocabulary; the routes turn them into HTTP.
 */

export interface VersionMeta {
  number: number;
  createdAt: number;
  message: string;
  minorEdit: boolean;
  authorId: string;
}

export interface PageVersion extends VersionMeta {
  title: string;
  body: string;
}

export type PageStatus = "current" | "archived" | "trashed" | "draft" | "deleted";

export interface StoredProperty {
  id: string;
  key: string;
  value: unknown;
  version: VersionMeta;
}

export interface StoredPage {
  id: string;
  spaceId: string;
  parentId: string | null;
  status: PageStatus;
  authorId: string;
  createdAt: number;
  position: number;
  /**
   * Restricted so that the app's user cannot see it: every read and listing acts as if it were not there, yet its
   * title still blocks a create of the same title (docs/emulators.md#confluence-pages-mode-behaviours).
   */
  restricted: boolean;
  /** Oldest first; the last one is the current version. */
  versions: PageVersion[];
  labels: { id: string; name: string; prefix: "global" }[];
  properties: StoredProperty[];
}

export interface StoredSpace {
  id: string;
  key: string;
  name: string;
  homepageId: string | null;
  createdAt: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; code: string; title: string };

/** Confluence's limit on one property's JSON (docs/references.md#confluence-content-properties). */
export const PROPERTY_VALUE_LIMIT_BYTES = 32 * 1024;

export function currentVersion(page: StoredPage): PageVersion {
  return page.versions[page.versions.length - 1]!;
}

function fail(status: number, code: string, title: string): { ok: false; status: number; code: string; title: string } {
  return { ok: false, status, code, title };
}

export class SiteContent {
  readonly spaces: StoredSpace[];
  readonly #pages = new Map<string, StoredPage>();
  readonly #clock: Clock;
  readonly #propertyTooLargeStatus: number;
  readonly #normalize: (body: string) => string;
  #nextId: number;

  constructor(seed: ConfluenceSeed, clock: Clock) {
    this.#clock = clock;
    this.#propertyTooLargeStatus = seed.quirks.propertyTooLargeStatus;
    this.#normalize = seed.storageNormalization === "confluence" ? normalizeStorageLikeConfluence : (body) => body;
    const now = clock.now();
    const seededIds = seed.pages.map((p) => Number(p.id));
    this.#nextId = Math.max(100_000, ...seededIds, ...seed.spaces.map((s) => Number(s.id))) + 1;
    this.spaces = seed.spaces.map((s) => ({
      id: s.id,
      key: s.key,
      name: s.name,
      homepageId: s.homepageId ?? null,
      createdAt: now,
    }));
    seed.pages.forEach((p, index) => {
      const problem = storageXhtmlError(p.body);
      if (problem)
        throw new Error(`invalid confluence seed: confluence.pages[${index}].body: ${problem.split("\n")[0]}`);
      const at = p.lastModified ? Date.parse(p.lastModified) : now;
      const authorId = p.authorId ?? seed.humanAccountId;
      this.#pages.set(p.id, {
        id: p.id,
        spaceId: p.spaceId,
        parentId: p.parentId ?? null,
        status: p.status,
        authorId,
        createdAt: at,
        position: index,
        restricted: p.restricted,
        versions: [
          {
            number: p.version,
            createdAt: at,
            message: "",
            minorEdit: false,
            authorId,
            title: p.title,
            body: this.#normalize(p.body),
          },
        ],
        labels: p.labels.map((name) => ({ id: this.#newId(), name, prefix: "global" })),
        properties: p.properties.map((prop) => ({
          id: this.#newId(),
          key: prop.key,
          value: prop.value,
          version: { number: 1, createdAt: at, message: "", minorEdit: false, authorId },
        })),
      });
    });
  }

  #newId(): string {
    return String(this.#nextId++);
  }

  pages(): StoredPage[] {
    return [...this.#pages.values()];
  }

  page(id: string): StoredPage | undefined {
    return this.#pages.get(id);
  }

  space(id: string): StoredSpace | undefined {
    return this.spaces.find((s) => s.id === id);
  }

  /** A current page, the way GET/PUT see it: purged and deleted pages are 404 (as are pages one may not see). */
  #live(id: string): Outcome<StoredPage> {
    const page = this.#pages.get(id);
    if (!page || page.status === "deleted" || page.restricted)
      return fail(404, "NOT_FOUND", `Cannot find page with id ${id}`);
    return { ok: true, value: page };
  }

  /** Pages the app's user can see (restricted pages left out), for listings and search. */
  visiblePages(): StoredPage[] {
    return this.pages().filter((page) => !page.restricted);
  }

  /** The pages above `page`, nearest first (the parent, its parent, …). */
  ancestorsOf(page: StoredPage): StoredPage[] {
    const ancestors: StoredPage[] = [];
    const seen = new Set<string>([page.id]);
    for (let parentId = page.parentId; parentId !== null && !seen.has(parentId); ) {
      const parent = this.#pages.get(parentId);
      if (parent === undefined) break;
      ancestors.push(parent);
      seen.add(parentId);
      parentId = parent.parentId;
    }
    return ancestors;
  }

  findPage(id: string): Outcome<StoredPage> {
    return this.#live(id);
  }

  createPage(
    input: { spaceId: string; title: string; parentId?: string | null; body: string; status: "current" | "draft" },
    authorId: string,
  ): Outcome<StoredPage> {
    const space = this.space(input.spaceId);
    if (!space) return fail(404, "NOT_FOUND", `Cannot find space with id ${input.spaceId}`);
    const bodyProblem = storageXhtmlError(input.body);
    if (bodyProblem) return fail(400, "INVALID_REQUEST_PARAMETER", bodyProblem);
    if (input.status === "current" && this.#titleTaken(space.id, input.title))
      return fail(400, "INVALID_REQUEST_PARAMETER", duplicateTitle(input.title));
    const parentId = input.parentId ?? space.homepageId;
    if (parentId && !this.#pages.has(parentId))
      return fail(404, "NOT_FOUND", `Cannot find parent page with id ${parentId}`);
    const now = this.#clock.now();
    const page: StoredPage = {
      id: this.#newId(),
      spaceId: space.id,
      parentId: parentId ?? null,
      status: input.status,
      authorId,
      createdAt: now,
      position: this.#pages.size,
      restricted: false,
      versions: [
        {
          number: 1,
          createdAt: now,
          message: "",
          minorEdit: false,
          authorId,
          title: input.title,
          body: this.#normalize(input.body),
        },
      ],
      labels: [],
      properties: [],
    };
    this.#pages.set(page.id, page);
    return { ok: true, value: page };
  }

  /**
   * A v2 PUT. `version.number` must be exactly current + 1, else 409 with the observed title
   * (docs/references.md#confluence-page-update-and-version-conflicts) and nothing changes. Every successful PUT makes a
   * new version, even with an identical body [UNCONFIRMED, so: always].
   */
  updatePage(
    id: string,
    input: {
      title: string;
      body: string;
      status: PageStatus;
      versionNumber: number;
      message: string;
      spaceId?: string;
      parentId?: string | null;
    },
    authorId: string,
  ): Outcome<StoredPage> {
    const found = this.#live(id);
    if (!found.ok) return found;
    const page = found.value;
    const current = currentVersion(page);
    if (input.versionNumber !== current.number + 1) {
      return fail(
        409,
        "CONFLICT",
        `Version must be incremented when updating a page. Current Version: [${current.number}]. Provided version: [${input.versionNumber}]`,
      );
    }
    if (input.spaceId !== undefined && input.spaceId !== page.spaceId)
      return fail(400, "INVALID_REQUEST_PARAMETER", "You can't change an existing page's space.");
    const bodyProblem = storageXhtmlError(input.body);
    if (bodyProblem) return fail(400, "INVALID_REQUEST_PARAMETER", bodyProblem);
    if (input.title !== current.title && this.#titleTaken(page.spaceId, input.title, page.id))
      return fail(400, "INVALID_REQUEST_PARAMETER", duplicateTitle(input.title));
    if (input.parentId !== undefined && input.parentId !== null && !this.#pages.has(input.parentId)) {
      return fail(404, "NOT_FOUND", `Cannot find parent page with id ${input.parentId}`);
    }
    if (input.parentId !== undefined) page.parentId = input.parentId;
    page.status = input.status;
    page.versions.push({
      number: input.versionNumber,
      createdAt: this.#clock.now(),
      message: input.message,
      minorEdit: false,
      authorId,
      title: input.title,
      body: this.#normalize(input.body),
    });
    return { ok: true, value: page };
  }

  /** A person saves the page in the editor: always the next version, whatever the sync last read. */
  editAsPerson(
    id: string,
    input: { body: string; title?: string; message?: string },
    authorId: string,
  ): Outcome<StoredPage> {
    const found = this.#live(id);
    if (!found.ok) return found;
    const current = currentVersion(found.value);
    return this.updatePage(
      id,
      {
        title: input.title ?? current.title,
        body: input.body,
        status: found.value.status,
        versionNumber: current.number + 1,
        message: input.message ?? "",
      },
      authorId,
    );
  }

  /**
   * DELETE: a current page goes to the trash; `purge` removes a trashed one for good
   * (docs/references.md#confluence-page-delete-and-trash).
   */
  deletePage(id: string, purge: boolean): Outcome<null> {
    const found = this.#live(id);
    if (!found.ok) return found;
    const page = found.value;
    if (purge) {
      if (page.status !== "trashed") return fail(400, "INVALID_REQUEST_PARAMETER", "Only trashed pages can be purged");
      page.status = "deleted";
    } else {
      if (page.status === "trashed") return fail(404, "NOT_FOUND", `Cannot find page with id ${id}`);
      page.status = "trashed";
    }
    return { ok: true, value: null };
  }

  #titleTaken(spaceId: string, title: string, exceptId?: string): boolean {
    return [...this.#pages.values()].some(
      (p) =>
        p.spaceId === spaceId &&
        p.id !== exceptId &&
        p.status === "current" &&
        currentVersion(p).title.toLowerCase() === title.toLowerCase(),
    );
  }

  /**
   * A person copies a page (the editor's "Copy"): same body, labels and content properties (copies carry the app's
   * properties too, docs/emulators.md#confluence-pages-mode-behaviours), under `parentId` (default: the original's).
   */
  copyAsPerson(id: string, input: { title: string; parentId?: string }, authorId: string): Outcome<StoredPage> {
    const found = this.#live(id);
    if (!found.ok) return found;
    const original = found.value;
    const created = this.createPage(
      {
        spaceId: original.spaceId,
        title: input.title,
        parentId: input.parentId ?? original.parentId,
        body: currentVersion(original).body,
        status: "current",
      },
      authorId,
    );
    if (!created.ok) return created;
    const copy = created.value;
    copy.labels = original.labels.map((label) => ({ ...label, id: this.#newId() }));
    copy.properties = original.properties.map((property) => ({
      ...property,
      id: this.#newId(),
      version: { ...property.version, number: 1, createdAt: this.#clock.now() },
    }));
    return created;
  }

  /**
   * A person (or an admin) changes a page's status: `archived` (still listed, read-only for the app), `current`
   * (restore from the trash or unarchive; a new version with the body unchanged), or `restricted` visibility.
   */
  setStatusAsPerson(id: string, status: "archived" | "current", authorId: string): Outcome<StoredPage> {
    const page = this.#pages.get(id);
    if (!page || page.status === "deleted") return fail(404, "NOT_FOUND", `Cannot find page with id ${id}`);
    const current = currentVersion(page);
    page.status = status;
    page.versions.push({ ...current, number: current.number + 1, createdAt: this.#clock.now(), message: "", authorId });
    return { ok: true, value: page };
  }

  /** Hides the page from the app's user (or shows it again), as a page restriction does. */
  restrict(id: string, restricted: boolean): Outcome<StoredPage> {
    const page = this.#pages.get(id);
    if (!page) return fail(404, "NOT_FOUND", `Cannot find page with id ${id}`);
    page.restricted = restricted;
    return { ok: true, value: page };
  }

  /** A person moves a page under another parent (same space); the version does not change [UNCONFIRMED]. */
  moveAsPerson(id: string, parentId: string): Outcome<StoredPage> {
    const found = this.#live(id);
    if (!found.ok) return found;
    if (!this.#pages.has(parentId)) return fail(404, "NOT_FOUND", `Cannot find parent page with id ${parentId}`);
    found.value.parentId = parentId;
    return found;
  }

  addLabels(id: string, names: string[]): Outcome<StoredPage> {
    const found = this.#live(id);
    if (!found.ok) return found;
    for (const name of names) {
      if (!found.value.labels.some((l) => l.name === name))
        found.value.labels.push({ id: this.#newId(), name, prefix: "global" });
    }
    return { ok: true, value: found.value };
  }

  createProperty(pageId: string, key: string, value: unknown, authorId: string): Outcome<StoredProperty> {
    const found = this.#live(pageId);
    if (!found.ok) return found;
    if (found.value.properties.some((p) => p.key === key)) {
      return fail(
        409,
        "CONFLICT",
        `Cannot create a content property with key ${key}: one already exists on content ${pageId}`,
      );
    }
    const tooLarge = this.#checkValueSize(value);
    if (tooLarge) return tooLarge;
    const property: StoredProperty = {
      id: this.#newId(),
      key,
      value,
      version: { number: 1, createdAt: this.#clock.now(), message: "", minorEdit: false, authorId },
    };
    found.value.properties.push(property);
    return { ok: true, value: property };
  }

  findProperty(pageId: string, propertyId: string): Outcome<StoredProperty> {
    const found = this.#live(pageId);
    if (!found.ok) return found;
    const property = found.value.properties.find((p) => p.id === propertyId);
    return property
      ? { ok: true, value: property }
      : fail(404, "NOT_FOUND", `Cannot find content property with id ${propertyId}`);
  }

  updateProperty(
    pageId: string,
    propertyId: string,
    input: { key: string; value: unknown; versionNumber: number; message: string },
    authorId: string,
  ): Outcome<StoredProperty> {
    const found = this.findProperty(pageId, propertyId);
    if (!found.ok) return found;
    const property = found.value;
    if (input.key !== property.key)
      return fail(400, "INVALID_REQUEST_PARAMETER", "The key of a content property cannot be changed");
    if (input.versionNumber !== property.version.number + 1) {
      return fail(
        409,
        "CONFLICT",
        `Version must be incremented when updating a content property. Current Version: [${property.version.number}]. Provided version: [${input.versionNumber}]`,
      );
    }
    const tooLarge = this.#checkValueSize(input.value);
    if (tooLarge) return tooLarge;
    property.value = input.value;
    property.version = {
      number: input.versionNumber,
      createdAt: this.#clock.now(),
      message: input.message,
      minorEdit: false,
      authorId,
    };
    return { ok: true, value: property };
  }

  deleteProperty(pageId: string, propertyId: string): Outcome<null> {
    const found = this.findProperty(pageId, propertyId);
    if (!found.ok) return found;
    const page = this.#pages.get(pageId)!;
    page.properties = page.properties.filter((p) => p.id !== propertyId);
    return { ok: true, value: null };
  }

  #checkValueSize(value: unknown): Outcome<never> | undefined {
    const bytes = Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
    if (bytes <= PROPERTY_VALUE_LIMIT_BYTES) return undefined;
    const status = this.#propertyTooLargeStatus;
    return fail(
      status,
      status === 413 ? "REQUEST_ENTITY_TOO_LARGE" : "INVALID_REQUEST_PARAMETER",
      `The value of a content property cannot exceed 32KB (got ${bytes} bytes)`,
    );
  }
}

function duplicateTitle(title: string): string {
  return `A page with this title already exists: A page already exists with the same TITLE (${title}) in this space`;
}
