import type { ConfluenceSeedInput } from "../../emulators/confluence/confluenceSeed";
import { portfolioPageBody } from "./sandboxPage";
import { PROJECTS_ON_PAGE, sandboxPeople, sandboxProjects } from "./sandboxPortfolio";

/**
 * The `confluence` section of the sandbox seed: Contoso's Atlassian site with the OAuth app ConfluenceSync uses
 * (one consent, i.e. one refresh token), the PMO space, its home page and the "Project portfolio" page, whose table
 * holds projects 1–40 — a little stale (see `pageDrift`).
 */

export const SANDBOX_CLOUD_ID = "b5d3f1a9-2c4e-4a6b-8d0f-7e9a1c3b5d70";
export const SANDBOX_CONFLUENCE_SITE_URL = "https://contoso.atlassian.net";
export const SANDBOX_CONFLUENCE_CLIENT_ID = "Qx7sandboxConfluenceClient2b9";
/** Emulator-only credentials, still handled as secrets (never printed). */
export const SANDBOX_CONFLUENCE_CLIENT_SECRET = "ATOAsandbox-confluence-secret-4k8Pz1Wq";
export const SANDBOX_CONFLUENCE_REFRESH_TOKEN = "eyJraWQiOiJzYW5kYm94In0.sandbox-refresh-token-9fT3";
export const SANDBOX_SPACE_ID = "98310";
export const SANDBOX_HOME_PAGE_ID = "229377";
export const SANDBOX_PORTFOLIO_PAGE_ID = "229381";
export const SANDBOX_PORTFOLIO_PAGE_TITLE = "Project portfolio";

export function sandboxConfluenceSeed(): ConfluenceSeedInput {
  return {
    cloudId: SANDBOX_CLOUD_ID,
    siteUrl: SANDBOX_CONFLUENCE_SITE_URL,
    siteName: "Contoso",
    oauth: {
      clientId: SANDBOX_CONFLUENCE_CLIENT_ID,
      clientSecret: SANDBOX_CONFLUENCE_CLIENT_SECRET,
      refreshTokens: [SANDBOX_CONFLUENCE_REFRESH_TOKEN],
    },
    spaces: [{ id: SANDBOX_SPACE_ID, key: "PMO", name: "Project Management Office", homepageId: SANDBOX_HOME_PAGE_ID }],
    pages: [
      {
        id: SANDBOX_HOME_PAGE_ID,
        spaceId: SANDBOX_SPACE_ID,
        title: "PMO home",
        body: `<p>Welcome to the Project Management Office space. Start with the <ac:link><ri:page ri:content-title="Project portfolio" /></ac:link>.</p>`,
        version: 3,
        lastModified: "2026-01-12T09:00:00.000Z",
      },
      {
        id: SANDBOX_PORTFOLIO_PAGE_ID,
        spaceId: SANDBOX_SPACE_ID,
        parentId: SANDBOX_HOME_PAGE_ID,
        title: SANDBOX_PORTFOLIO_PAGE_TITLE,
        body: portfolioPageBody(sandboxProjects.slice(0, PROJECTS_ON_PAGE)),
        version: 14,
        lastModified: "2026-02-20T10:15:00.000Z",
        authorId: sandboxPeople[2]!.accountId,
        labels: ["pmo", "portfolio"],
      },
    ],
    appAccountId: "557058:c0ffee00-sync-4c0f-9e11-5a9d8b7c6e5f",
    humanAccountId: sandboxPeople[2]!.accountId,
  };
}
