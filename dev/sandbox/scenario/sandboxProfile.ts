import type { ProfileInput } from "../../../shared/config/profile";
import { type SecretName, SecretNames } from "../../../shared/secrets/secretsProvider";
import {
  SANDBOX_CONFLUENCE_CLIENT_ID,
  SANDBOX_CONFLUENCE_CLIENT_SECRET,
  SANDBOX_CONFLUENCE_REFRESH_TOKEN,
  SANDBOX_CONFLUENCE_SITE_URL,
  SANDBOX_PORTFOLIO_PAGE_ID,
} from "./sandboxConfluenceSeed";
import {
  SANDBOX_GRAPH_CLIENT_ID,
  SANDBOX_GRAPH_CLIENT_SECRET,
  SANDBOX_PROJECTS_LIST_ID,
  SANDBOX_SITE_ID,
  SANDBOX_TENANT_ID,
} from "./sandboxGraphSeed";
import { SANDBOX_SITE_TIME_ZONE, STATUS_COLOURS, sandboxPeople } from "./sandboxPortfolio";

export const SANDBOX_PROFILE_KEY = "sandbox-projects";

/** Where the running emulators are (their ports are picked at start). */
export interface SandboxEndpoints {
  graphBaseUrl: string;
  authorityHost: string;
  confluenceAuthBaseUrl: string;
  confluenceApiBaseUrl: string;
}

/**
 * The demo profile as an admin would write it in a profile file (`profiles import`): the Projects list ⇄ the
 * portfolio table, every column mapped, both directions, conflicts flagged, an item deleted in SharePoint removes its
 * row (a row deleted on the page is kept in SharePoint), and the emulators as endpoints.
 */
export function sandboxProfileFile(
  endpoints: SandboxEndpoints,
): ProfileInput & { secrets: Record<SecretName, string> } {
  return {
    key: SANDBOX_PROFILE_KEY,
    displayName: "Contoso Projects list ⇄ Project portfolio page",
    sharePoint: {
      siteId: SANDBOX_SITE_ID,
      listId: SANDBOX_PROJECTS_LIST_ID,
      auth: { mode: "clientSecret" },
      timeZone: SANDBOX_SITE_TIME_ZONE,
    },
    confluence: {
      siteUrl: SANDBOX_CONFLUENCE_SITE_URL,
      target: {
        mode: "table",
        pageId: SANDBOX_PORTFOLIO_PAGE_ID,
        keyColumn: "ID",
        table: { headers: ["ID", "Project", "Status"] },
      },
    },
    direction: "both",
    fields: [
      { sharePoint: "Title", confluence: "Project" },
      { sharePoint: "Client", confluence: "Client" },
      {
        sharePoint: "Owner",
        confluence: "Owner",
        format: {
          kind: "mention",
          accounts: Object.fromEntries(sandboxPeople.map((p) => [p.email.toLowerCase(), p.accountId])),
        },
      },
      {
        sharePoint: "Status",
        confluence: "Status",
        format: { kind: "status", colours: { ...STATUS_COLOURS }, defaultColour: "Grey" },
      },
      { sharePoint: "Tags", confluence: "Tags" },
      { sharePoint: "Progress", confluence: "Progress" },
      { sharePoint: "Budget", confluence: "Budget" },
      { sharePoint: "Billable", confluence: "Billable" },
      { sharePoint: "Due_x0020_Date", confluence: "Due", format: { kind: "date" } },
      { sharePoint: "Next_x0020_Review", confluence: "Next review" },
      { sharePoint: "Repository", confluence: "Repository", format: { kind: "link" } },
      { sharePoint: "Summary", confluence: "Summary" },
    ],
    conflictPolicy: "flag",
    deletes: { toConfluence: "delete", toSharePoint: "keep" },
    massDeleteLimitPercent: 20,
    endpoints: { ...endpoints },
    secrets: {
      [SecretNames.ConfluenceClientId]: SANDBOX_CONFLUENCE_CLIENT_ID,
      [SecretNames.ConfluenceClientSecret]: SANDBOX_CONFLUENCE_CLIENT_SECRET,
      [SecretNames.ConfluenceRefreshToken]: SANDBOX_CONFLUENCE_REFRESH_TOKEN,
      [SecretNames.GraphTenantId]: SANDBOX_TENANT_ID,
      [SecretNames.GraphClientId]: SANDBOX_GRAPH_CLIENT_ID,
      [SecretNames.GraphClientSecret]: SANDBOX_GRAPH_CLIENT_SECRET,
    },
  };
}
