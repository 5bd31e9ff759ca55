import { iso } from "./emulatorContext";
import {
  currentVersion,
  type PageVersion,
  type StoredPage,
  type StoredProperty,
  type StoredSpace,
  type VersionMeta,
} from "./siteContent";

/**
 * Renders stored content in the v2 wire shapes (PageSingle/PageBulk, ContentProperty, SpaceBulk;
 * docs/references.md#confluence-page-read and docs/references.md#confluence-content-properties).
 */

export function versionJson(version: VersionMeta): Record<string, unknown> {
  return {
    createdAt: iso(version.createdAt),
    message: version.message,
    number: version.number,
    minorEdit: version.minorEdit,
    authorId: version.authorId,
    ncsStepVersion: null,
  };
}

export interface PageJsonOptions {
  /**
   * Only `storage` carries a body; without `body-format` the body is `{}` (docs/references.md#confluence-page-read).
   */
  storage: boolean;
  /** PageSingle carries `_links.base`; items of a list do not (the list's own `_links` has it). */
  linksBase?: string;
  /** Serve an older version (`?version=n`). */
  version?: PageVersion;
}

export function pageJson(
  page: StoredPage,
  space: StoredSpace | undefined,
  options: PageJsonOptions,
): Record<string, unknown> {
  const version = options.version ?? currentVersion(page);
  const slug = encodeURIComponent(version.title.replace(/\s+/g, "+")).replace(/%2B/g, "+");
  const spaceKey = space?.key ?? "UNKNOWN";
  return {
    id: page.id,
    status: page.status,
    title: version.title,
    spaceId: page.spaceId,
    parentId: page.parentId,
    parentType: page.parentId ? "page" : null,
    position: page.position,
    authorId: page.authorId,
    ownerId: page.authorId,
    lastOwnerId: null,
    createdAt: iso(page.createdAt),
    version: versionJson(version),
    body: options.storage ? { storage: { representation: "storage", value: version.body } } : {},
    _links: {
      editui: `/pages/resumedraft.action?draftId=${page.id}`,
      webui: `/spaces/${spaceKey}/pages/${page.id}/${slug}`,
      edituiv2: `/spaces/${spaceKey}/pages/edit-v2/${page.id}`,
      tinyui: `/x/${Buffer.from(page.id).toString("base64url")}`,
      ...(options.linksBase ? { base: options.linksBase } : {}),
    },
  };
}

export function propertyJson(property: StoredProperty): Record<string, unknown> {
  return { id: property.id, key: property.key, value: property.value, version: versionJson(property.version) };
}

export function spaceJson(space: StoredSpace, authorId: string): Record<string, unknown> {
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: "global",
    status: "current",
    authorId,
    createdAt: iso(space.createdAt),
    homepageId: space.homepageId,
    description: null,
    icon: null,
    _links: { webui: `/spaces/${space.key}` },
  };
}
