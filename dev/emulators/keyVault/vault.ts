import { randomUUID } from "node:crypto";

/** Seconds since the epoch, as Key Vault's attributes carry them. */
type UnixSeconds = number;

interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: UnixSeconds;
  exp?: UnixSeconds;
  created: UnixSeconds;
  updated: UnixSeconds;
}

interface SecretEntry {
  /** The name as first created; lookups ignore case, as Key Vault's do. */
  name: string;
  /** Oldest first. */
  versions: SecretVersion[];
  deleted?: { deletedDate: UnixSeconds; scheduledPurgeDate: UnixSeconds; pendingRequests: number };
}

export interface SecretWrite {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes?: { enabled?: boolean; nbf?: number; exp?: number };
}

/** A Key Vault error as the service reports it: HTTP status + `{ error: { code, message, innererror? } }`. */
export class VaultFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
  }

  body(): unknown {
    return {
      error: {
        code: this.errorCode,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

const RETENTION_DAYS = 90;

export interface VaultOptions {
  purgeProtection: boolean;
  deletionPendingRequests: number;
  nowMs?: () => number;
}

/**
 * The secrets of one vault and their soft-delete life cycle: active → (DELETE) deleted, still being deleted for a
 * few requests → deleted but recoverable → purged (gone) or recovered (active again, versions intact).
 * Values in, bundles out: the HTTP shapes are built by the routes from what this returns.
 */
export class Vault {
  readonly #entries = new Map<string, SecretEntry>();
  readonly #options: VaultOptions;

  constructor(options: VaultOptions) {
    this.#options = options;
  }

  get recoveryLevel(): string {
    return this.#options.purgeProtection ? "Recoverable" : "Recoverable+Purgeable";
  }

  set(name: string, write: SecretWrite): { name: string; version: SecretVersion } {
    const existing = this.#entries.get(name.toLowerCase());
    if (existing?.deleted) {
      this.#throwIfBeingDeleted(existing);
      throw new VaultFailure(
        409,
        "Conflict",
        `Secret ${existing.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        "ObjectIsDeletedButRecoverable",
      );
    }
    const now = this.#nowSeconds();
    const version: SecretVersion = {
      version: randomUUID().replace(/-/g, ""),
      value: write.value,
      ...(write.contentType !== undefined ? { contentType: write.contentType } : {}),
      ...(write.tags !== undefined ? { tags: write.tags } : {}),
      enabled: write.attributes?.enabled ?? true,
      ...(write.attributes?.nbf !== undefined ? { nbf: write.attributes.nbf } : {}),
      ...(write.attributes?.exp !== undefined ? { exp: write.attributes.exp } : {}),
      created: now,
      updated: now,
    };
    const entry = existing ?? { name, versions: [] };
    entry.versions.push(version);
    this.#entries.set(name.toLowerCase(), entry);
    return { name: entry.name, version };
  }

  /** The latest version, or the given one; disabled versions cannot be read (403), as in Key Vault. */
  get(name: string, versionId?: string): { name: string; version: SecretVersion } {
    const entry = this.#active(name, versionId);
    const version = versionId
      ? entry.versions.find((v) => v.version === versionId.toLowerCase())
      : entry.versions.at(-1);
    if (!version) throw notFound(`${name}/${versionId}`);
    if (!version.enabled)
      throw new VaultFailure(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    return { name: entry.name, version };
  }

  /** Active secrets sorted by name, each with its latest version. */
  list(): Array<{ name: string; version: SecretVersion }> {
    return [...this.#entries.entries()]
      .filter(([, entry]) => !entry.deleted)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => ({ name: entry.name, version: entry.versions.at(-1)! }));
  }

  delete(name: string): DeletedSecret {
    const entry = this.#active(name);
    const now = this.#nowSeconds();
    entry.deleted = {
      deletedDate: now,
      scheduledPurgeDate: now + RETENTION_DAYS * 86_400,
      pendingRequests: this.#options.deletionPendingRequests,
    };
    return {
      name: entry.name,
      version: entry.versions.at(-1)!,
      deletedDate: now,
      scheduledPurgeDate: entry.deleted.scheduledPurgeDate,
    };
  }

  getDeleted(name: string): DeletedSecret {
    const entry = this.#entries.get(name.toLowerCase());
    if (!entry?.deleted || this.#stillDeleting(entry))
      throw new VaultFailure(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
    return {
      name: entry.name,
      version: entry.versions.at(-1)!,
      deletedDate: entry.deleted.deletedDate,
      scheduledPurgeDate: entry.deleted.scheduledPurgeDate,
    };
  }

  purge(name: string): void {
    const entry = this.#deleted(name);
    if (this.#options.purgeProtection) {
      throw new VaultFailure(
        403,
        "Forbidden",
        `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.`,
        "ForbiddenByPolicy",
      );
    }
    this.#entries.delete(entry.name.toLowerCase());
  }

  recover(name: string): { name: string; version: SecretVersion } {
    const entry = this.#deleted(name);
    delete entry.deleted;
    return { name: entry.name, version: entry.versions.at(-1)! };
  }

  /** Everything, for `GET /_admin/state`: latest values in seed shape plus versions and soft-deleted names. */
  snapshot(): { secrets: Record<string, string>; versions: Record<string, number>; deletedSecrets: string[] } {
    const secrets: Record<string, string> = {};
    const versions: Record<string, number> = {};
    const deletedSecrets: string[] = [];
    for (const entry of this.#entries.values()) {
      versions[entry.name] = entry.versions.length;
      if (entry.deleted) deletedSecrets.push(entry.name);
      else secrets[entry.name] = entry.versions.at(-1)!.value;
    }
    return { secrets, versions, deletedSecrets: deletedSecrets.sort() };
  }

  #active(name: string, versionId?: string): SecretEntry {
    const entry = this.#entries.get(name.toLowerCase());
    if (entry?.deleted) this.#stillDeleting(entry);
    if (!entry || entry.deleted) throw notFound(versionId ? `${name}/${versionId}` : name);
    return entry;
  }

  #deleted(name: string): SecretEntry {
    const entry = this.#entries.get(name.toLowerCase());
    if (!entry?.deleted) throw new VaultFailure(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
    this.#throwIfBeingDeleted(entry);
    return entry;
  }

  /** Counts one request against a pending deletion; true while the deletion has not finished. */
  #stillDeleting(entry: SecretEntry): boolean {
    if (!entry.deleted || entry.deleted.pendingRequests === 0) return false;
    entry.deleted.pendingRequests -= 1;
    return true;
  }

  #throwIfBeingDeleted(entry: SecretEntry): void {
    if (this.#stillDeleting(entry)) {
      throw new VaultFailure(
        409,
        "Conflict",
        `Secret ${entry.name} is currently being deleted.`,
        "ObjectIsBeingDeleted",
      );
    }
  }

  #nowSeconds(): UnixSeconds {
    return Math.floor((this.#options.nowMs ?? Date.now)() / 1000);
  }
}

export interface DeletedSecret {
  name: string;
  version: SecretVersion;
  deletedDate: UnixSeconds;
  scheduledPurgeDate: UnixSeconds;
}

export type { SecretVersion };

function notFound(nameOrId: string): VaultFailure {
  return new VaultFailure(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}
