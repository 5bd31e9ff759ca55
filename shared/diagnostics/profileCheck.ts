import { isPagesProfile, type Profile, tableProfile } from "../config/profile";
import { ProfileInvalid } from "../config/profileInvalid";
import { ProfileNotFound } from "../config/profileNotFound";
import type { ConfluenceClient } from "../confluence";
import { codecsFor } from "../engine/codecInputs";
import type { EngineServices } from "../engine/engineServices";
import { type ListDirectory, ListDirectoryCache } from "../engine/listDirectoryCache";
import { readManagedPage } from "../engine/managedPage";
import { MODERATION_STATUS_COLUMN } from "../engine/prepare/vanishedItems";
import { fieldSamples } from "../engine/sharePointChanges";
import { isAppError } from "../errors";
import { type FieldCodecs, isStartOfDateInTimeZone, zonesAtMidnight } from "../mapping";
import { globalRedactor } from "../runtime";
import type { SharePointClient } from "../sharepoint";
import type { SharePointItem } from "../sharepoint/listItem";
import { flowsTo } from "../sync";
import { checkPagesTarget } from "./pagesCheck";

/** How one check came out: `fail` blocks syncing, `warn` is worth acting on, `skip` could not be checked. */
export type CheckVerdict = "ok" | "warn" | "fail" | "skip";

/** One line of `confluence-sync check`: what was checked, the verdict, what was found and what to do. */
export interface CheckLine {
  readonly id: CheckId;
  readonly verdict: CheckVerdict;
  readonly detail: string;
  /** What to do about a `fail` or `warn`. */
  readonly action?: string;
}

export type CheckId =
  | "profile"
  | "secrets"
  | "graphToken"
  | "list"
  | "columns"
  | "contentApproval"
  | "sharePointWrite"
  | "confluenceGrant"
  | "page"
  | "webhook"
  | "timeZone"
  | "hyperlinks";

export interface ProfileCheckReport {
  readonly profileKey: string;
  readonly checkedAt: string;
  /** False when a check failed: a sync of the profile cannot work as things are. */
  readonly ok: boolean;
  readonly checks: readonly CheckLine[];
}

export interface ProfileCheckOptions {
  /** WEBHOOK_NOTIFICATION_URL: change notifications are configured when set. */
  readonly webhookUrl?: string | undefined;
  /** Items read to sample values (hyperlink detection, the time-zone check). Default 100. */
  readonly sampleSize?: number;
}

const TENANT_WRITE_ROLES = ["Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All"];
const MANAGE_ROLES = ["Sites.Manage.All", "Sites.FullControl.All"];
/** A scope of each family (granular for v2, classic) that covers reading and writing pages. */
const READ_SCOPES = ["read:page:confluence", "read:confluence-content.all"];
const WRITE_SCOPES = ["write:page:confluence", "write:confluence-content"];

/**
 * `confluence-sync check <key>` and `GET /api/profiles/{key}/check`: whether a profile can sync, asked of the real
 * services and read-only (docs/cli.md#check). One line per check, each with a verdict and what to do. Reads the
 * list's columns and a page of items, the Confluence page, the Graph token's application permissions and the
 * Atlassian grant's scopes; writes nothing but what any run writes when it refreshes the Confluence token (the
 * rotated refresh token, stored before it is used). Later checks that need what an earlier one could not read are
 * `skip`.
 */
export async function checkProfile(
  services: EngineServices,
  profileKey: string,
  options: ProfileCheckOptions = {},
): Promise<ProfileCheckReport> {
  const lines: CheckLine[] = [];
  const add = (line: CheckLine) => lines.push(line);
  const finish = (): ProfileCheckReport => ({
    profileKey,
    checkedAt: new Date(services.clock.now()).toISOString(),
    ok: lines.every((line) => line.verdict !== "fail"),
    checks: lines,
  });

  // ---------------------------------------------------------------- the profile and its secrets
  let profile: Profile;
  try {
    profile = (await services.config.profiles.get(profileKey)).profile;
  } catch (error) {
    if (error instanceof ProfileNotFound) throw error;
    const detail = error instanceof ProfileInvalid ? error.message : describe(error);
    add({ id: "profile", verdict: "fail", detail, action: "fix the profile (confluence-sync profiles validate)" });
    return finish();
  }
  add({
    id: "profile",
    verdict: "ok",
    detail: isPagesProfile(profile)
      ? `valid: list ${profile.sharePoint.listId} ↔ a page per item under page ${profile.confluence.target.parentPageId}`
      : `valid: list ${profile.sharePoint.listId} ↔ page ${tableProfile(profile).confluence.target.pageId}`,
  });
  const validation = await services.config.validator.validate(profile);
  if (validation.missingSecrets.length > 0) {
    add({
      id: "secrets",
      verdict: "fail",
      detail: `missing: ${validation.missingSecrets.join(", ")}`,
      action: `store them: confluence-sync secrets set ${profileKey} <name>`,
    });
    return finish();
  }
  add({ id: "secrets", verdict: "ok", detail: "every secret the profile needs is stored (names checked, not values)" });

  // ---------------------------------------------------------------- SharePoint
  const roles = await checkGraphToken(services, profile, add);
  let sharePoint: SharePointClient | undefined;
  let directory: ListDirectory | undefined;
  let items: SharePointItem[] = [];
  if (roles !== "failed") {
    try {
      sharePoint = await services.connections.sharePoint(profile);
      // The list as it is now, not as the engine's cache last saw it (nor warming that cache for the next run).
      directory = await new ListDirectoryCache({ clock: services.clock }).get(profile, sharePoint);
      const pages = sharePoint.readItems({ pageSize: options.sampleSize ?? 100 });
      items = (await pages.next()).value ?? [];
      await pages.return(undefined);
      add({
        id: "list",
        verdict: "ok",
        detail: `readable: ${directory.columns.length} columns, ${items.length === 0 ? "no items" : `${items.length}${items.length === (options.sampleSize ?? 100) ? "+" : ""} items sampled`}`,
      });
    } catch (error) {
      add({ id: "list", verdict: "fail", detail: describe(error), action: actionFor(error) });
    }
  } else add({ id: "list", verdict: "skip", detail: "no Graph token" });

  let codecs: FieldCodecs | undefined;
  if (directory !== undefined) {
    const samples = fieldSamples(profile, directory.columns, items, {});
    const built = codecsFor(profile, { ...directory, samples, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" });
    if (built.ok) {
      codecs = built.codecs;
      add({
        id: "columns",
        verdict: "ok",
        detail: `${built.codecs.size} mapped columns, all there and of types the sync supports`,
      });
    } else {
      add({
        id: "columns",
        verdict: "fail",
        detail: built.errors.map((error) => `${error.code}: ${error.message}`).join("; "),
        action: "fix the profile's fields, or the list's columns",
      });
    }
    checkContentApproval(directory, roles, add);
  } else add({ id: "columns", verdict: "skip", detail: "the list could not be read" });
  checkSharePointWrite(profile, roles, add);

  // ---------------------------------------------------------------- Confluence
  let confluence: ConfluenceClient | undefined;
  try {
    confluence = await services.connections.confluence(profile);
    const token = await services.connections.tokens.getAccessToken(profile.key);
    checkScopes(profile, token.scopes, add);
  } catch (error) {
    add({ id: "confluenceGrant", verdict: "fail", detail: describe(error), action: actionFor(error) });
  }
  if (confluence !== undefined && codecs !== undefined && directory !== undefined && isPagesProfile(profile)) {
    try {
      const pages = await checkPagesTarget(profile, directory.columns, codecs, confluence);
      add({
        id: "page",
        verdict: pages.ok ? "ok" : "fail",
        detail: pages.detail,
        ...(pages.action ? { action: pages.action } : {}),
      });
    } catch (error) {
      add({ id: "page", verdict: "fail", detail: describe(error), action: actionFor(error) });
    }
  } else if (confluence !== undefined && codecs !== undefined && !isPagesProfile(profile)) {
    const target = tableProfile(profile).confluence.target;
    try {
      const page = await confluence.getPage(target.pageId, { storage: true });
      const managed = readManagedPage(profile, page.storage ?? "", codecs);
      if (managed.ok) {
        const table = managed.table;
        add({
          id: "page",
          verdict: "ok",
          detail: `"${page.title}" v${page.version.number}: table ${table.table.index + 1} has the key column "${target.keyColumn}" and the ${table.fieldColumns.size} mapped columns, ${table.rows.length} rows`,
        });
      } else
        add({
          id: "page",
          verdict: "fail",
          detail: `${managed.problem.code}: ${managed.problem.message}`,
          action: "fix the page (confluence-sync inspect-page shows its tables), or the profile's confluence.target",
        });
    } catch (error) {
      add({ id: "page", verdict: "fail", detail: describe(error), action: actionFor(error) });
    }
  } else
    add({
      id: "page",
      verdict: "skip",
      detail: codecs === undefined ? "the mapped columns are not known" : "no Confluence connection",
    });

  // ---------------------------------------------------------------- settings that only show in values or writes
  checkWebhook(options.webhookUrl, roles, add);
  checkTimeZone(profile, codecs, items, add);
  checkHyperlinks(profile, codecs, add);
  return finish();
}

/** The Graph token and the application permissions it carries (`failed` when there is no token). */
async function checkGraphToken(
  services: EngineServices,
  profile: Profile,
  add: (line: CheckLine) => void,
): Promise<string[] | undefined | "failed"> {
  try {
    const roles = await services.connections.graphRoles(profile);
    add({
      id: "graphToken",
      verdict: "ok",
      detail:
        roles === undefined
          ? "token issued (its application permissions are not readable)"
          : `token issued; application permissions: ${roles.length === 0 ? "none" : roles.join(", ")}`,
    });
    return roles;
  } catch (error) {
    add({ id: "graphToken", verdict: "fail", detail: describe(error), action: actionFor(error) });
    return "failed";
  }
}

function checkContentApproval(
  directory: ListDirectory,
  roles: string[] | undefined | "failed",
  add: (line: CheckLine) => void,
): void {
  if (!directory.columns.some((column) => column.name === MODERATION_STATUS_COLUMN)) return;
  const manages = Array.isArray(roles) && roles.some((role) => MANAGE_ROLES.includes(role));
  add(
    manages
      ? { id: "contentApproval", verdict: "ok", detail: "the list has content approval; the app sees pending items" }
      : {
          id: "contentApproval",
          verdict: "warn",
          detail:
            "the list has content approval: items pending approval are hidden from an app without Sites.Manage.All; they are reported (ITEM_NOT_VISIBLE), never deleted, and sync once approved",
          action: "grant Sites.Manage.All to sync items while they await approval",
        },
  );
}

function checkSharePointWrite(
  profile: Profile,
  roles: string[] | undefined | "failed",
  add: (line: CheckLine) => void,
): void {
  const writes = profile.fields.some((field) => flowsTo(field.direction ?? profile.direction, "sharePoint"));
  if (!writes) {
    add({ id: "sharePointWrite", verdict: "skip", detail: "no field flows to SharePoint" });
    return;
  }
  if (!Array.isArray(roles)) {
    add({ id: "sharePointWrite", verdict: "skip", detail: "the token's application permissions are not known" });
    return;
  }
  if (roles.some((role) => TENANT_WRITE_ROLES.includes(role)))
    add({
      id: "sharePointWrite",
      verdict: "ok",
      detail: `${roles.find((role) => TENANT_WRITE_ROLES.includes(role))} covers item writes`,
    });
  else if (roles.includes("Sites.Selected"))
    add({
      id: "sharePointWrite",
      verdict: "warn",
      detail: "Sites.Selected: item writes need a write grant on the site, which the app cannot read without writing",
      action: "make sure the site grants the app the write role (docs/operations.md#microsoft-graph-sharepoint)",
    });
  else
    add({
      id: "sharePointWrite",
      verdict: "fail",
      detail: `the application permissions (${roles.join(", ") || "none"}) do not allow writing list items`,
      action: "grant Sites.ReadWrite.All, or Sites.Selected with a write grant on the site",
    });
}

function checkScopes(profile: Profile, scopes: readonly string[], add: (line: CheckLine) => void): void {
  const missing: string[] = [];
  if (!READ_SCOPES.some((scope) => scopes.includes(scope))) missing.push(READ_SCOPES[0]!);
  const writes = profile.fields.some((field) => flowsTo(field.direction ?? profile.direction, "confluence"));
  // Items created from rows get their id written back, so a two-way or page-bound profile writes the page.
  if ((writes || profile.direction !== "toSharePoint") && !WRITE_SCOPES.some((scope) => scopes.includes(scope)))
    missing.push(WRITE_SCOPES[0]!);
  add(
    missing.length === 0
      ? {
          id: "confluenceGrant",
          verdict: "ok",
          detail: `the grant is alive, scoped to read and write pages (${[READ_SCOPES, WRITE_SCOPES]
            .flatMap((family) => family.find((scope) => scopes.includes(scope)) ?? [])
            .join(", ")})`,
        }
      : {
          id: "confluenceGrant",
          verdict: "fail",
          detail: `the grant lacks ${missing.join(" and ")} (it has: ${scopes.join(" ") || "none"})`,
          action: "add the scopes to the Atlassian app and consent again, then store the new refresh token",
        },
  );
}

function checkWebhook(
  webhookUrl: string | undefined,
  roles: string[] | undefined | "failed",
  add: (line: CheckLine) => void,
): void {
  if (webhookUrl === undefined || webhookUrl === "") {
    add({
      id: "webhook",
      verdict: "skip",
      detail: "WEBHOOK_NOTIFICATION_URL is not set: the schedule syncs, no change notifications",
    });
    return;
  }
  if (!webhookUrl.startsWith("https://")) {
    add({
      id: "webhook",
      verdict: "fail",
      detail: `${webhookUrl} is not HTTPS; Graph only calls HTTPS endpoints`,
      action: "set WEBHOOK_NOTIFICATION_URL to the function's public HTTPS URL",
    });
    return;
  }
  if (!Array.isArray(roles)) {
    add({ id: "webhook", verdict: "skip", detail: "the token's application permissions are not known" });
    return;
  }
  add(
    roles.some((role) => TENANT_WRITE_ROLES.includes(role))
      ? { id: "webhook", verdict: "ok", detail: `a list subscription can be created (${webhookUrl})` }
      : {
          id: "webhook",
          verdict: "warn",
          detail:
            "list subscriptions are documented with Sites.ReadWrite.All; with Sites.Selected Graph refuses them (403), so changes reach the app only on the schedule",
          action: "grant Sites.ReadWrite.All, or unset WEBHOOK_NOTIFICATION_URL",
        },
  );
}

/** Date-only values in the sample that are not midnight in the configured zone: the zone is likely wrong. */
function checkTimeZone(
  profile: Profile,
  codecs: FieldCodecs | undefined,
  items: readonly SharePointItem[],
  add: (line: CheckLine) => void,
): void {
  const dateFields = [...(codecs?.values() ?? [])].filter((codec) => codec.kind === "dateOnly");
  if (codecs === undefined || dateFields.length === 0) {
    add({
      id: "timeZone",
      verdict: "skip",
      detail: codecs === undefined ? "the mapped columns are not known" : "no date-only column is mapped",
    });
    return;
  }
  const zone = profile.sharePoint.timeZone ?? "UTC";
  let checked = 0;
  const off: Array<{ field: string; item: string; value: string }> = [];
  for (const item of items) {
    for (const codec of dateFields) {
      const value = item.fields[codec.name];
      if (typeof value !== "string" || Number.isNaN(Date.parse(value)) || !/T/.test(value)) continue;
      checked += 1;
      if (!isStartOfDateInTimeZone(Date.parse(value), zone)) off.push({ field: codec.name, item: item.id, value });
    }
  }
  if (checked === 0) {
    add({ id: "timeZone", verdict: "skip", detail: "no date-only values in the items sampled" });
    return;
  }
  const first = off[0];
  if (first === undefined) {
    add({ id: "timeZone", verdict: "ok", detail: `${checked} date-only values are midnight in ${zone}` });
    return;
  }
  const { offset, zones } = zonesAtMidnight(Date.parse(first.value));
  add({
    id: "timeZone",
    verdict: "warn",
    detail: `${off.length} of ${checked} date-only values are not midnight in ${zone} (e.g. item ${first.item} ${first.field} = ${first.value}, midnight in ${offset}${zones.length > 0 ? `: ${zones.join(", ")}` : ""}); the sync refuses them (FIELD_DATE_ZONE_MISMATCH) rather than shift them a day`,
    action: `set the profile's sharePoint.timeZone to the site's time zone${zones[0] ? ` (likely ${zones[0]})` : ""}`,
  });
}

function checkHyperlinks(profile: Profile, codecs: FieldCodecs | undefined, add: (line: CheckLine) => void): void {
  const links = [...(codecs?.values() ?? [])].filter((codec) => codec.kind === "hyperlink");
  if (links.length === 0) {
    add({
      id: "hyperlinks",
      verdict: "skip",
      detail: codecs === undefined ? "the mapped columns are not known" : "no hyperlink column is mapped",
    });
    return;
  }
  const mode = profile.sharePoint.hyperlinkWrite ?? "object";
  add({
    id: "hyperlinks",
    verdict: "ok",
    detail: `${links.map((codec) => codec.name).join(", ")} written as ${mode === "object" ? "{Url, Description} with Prefer: apiversion=2.1" : '"url, description" text'} (sharePoint.hyperlinkWrite "${mode}"); a refusal shows only on a write, per field (HYPERLINK_WRITE_REFUSED)`,
  });
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = isAppError(error) ? `${error.code}: ` : "";
  return globalRedactor.redact(`${code}${message}`);
}

/** What to do for the errors a check meets most. */
function actionFor(error: unknown): string | undefined {
  const code = isAppError(error) ? error.code : undefined;
  switch (code) {
    case "GRAPH_FORBIDDEN":
      return "grant the permission the message names";
    case "GRAPH_AUTHENTICATION_FAILED":
    case "GRAPH_UNAUTHORIZED":
      return "store the right Graph tenant id, client id and secret (confluence-sync secrets set)";
    case "GRAPH_NOT_FOUND":
      return "check sharePoint.siteId and sharePoint.listId";
    case "REAUTHORIZATION_REQUIRED":
      return "consent to the Atlassian app again and store the new refresh token";
    default:
      return undefined;
  }
}
