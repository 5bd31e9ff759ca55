import { ConfluenceError, ConfluenceErrorCode } from "./confluenceError";
import type { AccessibleResource } from "./confluenceSchemas";

/** Which Atlassian site a profile syncs with: its URL, a pinned cloudId, or both (then both must agree). */
export interface ConfluenceSiteTarget {
  siteUrl?: string | undefined;
  cloudId?: string | undefined;
}

/** The resolved site: the cloudId that goes into `/ex/confluence/{cloudId}/…`. */
export interface ConfluenceSite {
  cloudId: string;
  url: string;
  name: string;
  scopes: string[];
}

/**
 * Picks the profile's site among `GET /oauth/token/accessible-resources`
 * (docs/references.md#confluence-accessible-resources). A grant may cover several sites and one site may appear once
 * per product container with the same id, so: match by URL (origin, ignoring case, a trailing slash and `/wiki`) and/or
 * id, prefer entries whose scopes are Confluence's, and fail clearly when nothing or more than one site is left. Pure.
 */
export function pickConfluenceSite(
  resources: readonly AccessibleResource[],
  target: ConfluenceSiteTarget,
  profileKey: string,
): ConfluenceSite {
  const wantedUrl = target.siteUrl === undefined ? undefined : normalizeSiteUrl(target.siteUrl);
  const matching = resources.filter(
    (r) =>
      (target.cloudId === undefined || r.id === target.cloudId) &&
      (wantedUrl === undefined || normalizeSiteUrl(r.url) === wantedUrl),
  );
  const confluence = matching.filter((r) => r.scopes.some((s) => /confluence/i.test(s)));
  const candidates = confluence.length > 0 ? confluence : matching;
  const distinct = [...new Map(candidates.map((r) => [r.id, r])).values()];
  const wanted = [target.siteUrl && `site ${target.siteUrl}`, target.cloudId && `cloudId ${target.cloudId}`]
    .filter(Boolean)
    .join(" and ");

  if (distinct.length === 0) {
    const available = resources.map((r) => `${r.url} (${r.id})`).join(", ") || "none";
    throw new ConfluenceError(
      ConfluenceErrorCode.SiteNotFound,
      `profile "${profileKey}": the Confluence grant does not cover ${wanted || "any site"}; sites it covers: ${available}`,
    );
  }
  if (distinct.length > 1) {
    throw new ConfluenceError(
      ConfluenceErrorCode.SiteAmbiguous,
      `profile "${profileKey}": ${distinct.length} accessible Confluence sites match ${wanted || "(no site URL or cloudId given)"}: ${distinct.map((r) => `${r.url} (${r.id})`).join(", ")}; set the profile's cloudId to pick one`,
    );
  }
  const site = distinct[0]!;
  return {
    cloudId: site.id,
    url: site.url,
    name: site.name,
    scopes: candidates.filter((r) => r.id === site.id).flatMap((r) => r.scopes),
  };
}

/** `https://Contoso.atlassian.net/wiki/` → `https://contoso.atlassian.net`. */
export function normalizeSiteUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/\/+$/, "").replace(/\/wiki$/i, "");
    return `${parsed.protocol}//${parsed.host}${path}`.toLowerCase();
  } catch {
    return url.trim().replace(/\/+$/, "").toLowerCase();
  }
}
