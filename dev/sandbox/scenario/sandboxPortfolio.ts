/**
 * The sandbox's business data: Contoso's project portfolio, as it lives in a SharePoint list and (in part, a little
 * stale) on a Confluence page. Plain values here; `sandboxGraphSeed.ts` and `sandboxConfluenceSeed.ts` put them into
 * each service's own shapes. Fixed values, no clock: the seed is committed as `examples/sandbox.seed.json`.
 */

/** A site user: SharePoint knows them by lookup id, Confluence by Atlassian account id. */
export interface SandboxPerson {
  lookupId: string;
  displayName: string;
  email: string;
  accountId: string;
}

export const sandboxPeople: readonly SandboxPerson[] = [
  { lookupId: "11", displayName: "Megan Bowen", email: "MeganB@contoso.onmicrosoft.com", accountId: "557058:2f4e8a10-6c1b-4d2e-9a3f-0b1c2d3e4f51" },
  { lookupId: "12", displayName: "Alex Wilber", email: "AlexW@contoso.onmicrosoft.com", accountId: "557058:3a5f9b21-7d2c-4e3f-8b40-1c2d3e4f5a62" },
  { lookupId: "13", displayName: "Adele Vance", email: "AdeleV@contoso.onmicrosoft.com", accountId: "557058:4b6a0c32-8e3d-4f40-9c51-2d3e4f5a6b73" },
  { lookupId: "14", displayName: "Diego Siciliani", email: "DiegoS@contoso.onmicrosoft.com", accountId: "557058:5c7b1d43-9f4e-4051-8d62-3e4f5a6b7c84" },
  { lookupId: "15", displayName: "Isaiah Langer", email: "IsaiahL@contoso.onmicrosoft.com", accountId: "557058:6d8c2e54-0a5f-4162-9e73-4f5a6b7c8d95" },
  { lookupId: "16", displayName: "Johanna Lorenz", email: "JohannaL@contoso.onmicrosoft.com", accountId: "557058:7e9d3f65-1b60-4273-8f84-5a6b7c8d9ea6" },
  { lookupId: "17", displayName: "Lee Gu", email: "LeeG@contoso.onmicrosoft.com", accountId: "557058:8fae4076-2c71-4384-9095-6b7c8d9eafb7" },
  { lookupId: "18", displayName: "Nestor Wilke", email: "NestorW@contoso.onmicrosoft.com", accountId: "557058:90bf5187-3d82-4495-81a6-7c8d9eafb0c8" },
];

/** The "Clients" list the portfolio's Client column looks up (by id; shown by name). */
export const sandboxClients: readonly { id: number; name: string; country: string }[] = [
  { id: 1, name: "Fabrikam", country: "United States" },
  { id: 2, name: "Northwind Traders", country: "United Kingdom" },
  { id: 3, name: "Tailspin Toys", country: "Canada" },
  { id: 4, name: "Woodgrove Bank", country: "Germany" },
  { id: 5, name: "Litware", country: "Netherlands" },
  { id: 6, name: "Adventure Works", country: "United States" },
  { id: 7, name: "Wide World Importers", country: "Australia" },
  { id: 8, name: "Contoso (internal)", country: "Germany" },
];

export const PROJECT_STATUSES = ["Not started", "On track", "At risk", "Blocked", "Done"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Lozenge colours on the page (the profile's status format says the same). */
export const STATUS_COLOURS: Readonly<Record<ProjectStatus, "Grey" | "Green" | "Yellow" | "Red" | "Blue">> = {
  "Not started": "Grey",
  "On track": "Green",
  "At risk": "Yellow",
  Blocked: "Red",
  Done: "Blue",
};

export const PROJECT_TAGS = ["AI", "Cloud", "Compliance", "Data", "Mobile", "Security", "Web"] as const;
export type ProjectTag = (typeof PROJECT_TAGS)[number];

/** The site's regional setting: date-only values are midnight here, stored in UTC. */
export const SANDBOX_SITE_TIME_ZONE = "Europe/Berlin";

export interface SandboxProject {
  id: number;
  title: string;
  summary: string;
  clientId: number;
  /** Index into `sandboxPeople`. */
  owner: number;
  status: ProjectStatus;
  tags: ProjectTag[];
  budget: number;
  /** 0–1; the column shows it as a percentage. */
  progress: number;
  billable: boolean;
  /** `YYYY-MM-DD` in the site's time zone. */
  due: string;
  /** UTC instant of the next steering review, when one is booked. */
  nextReview: string | null;
  repository: { url: string; description: string } | null;
}

const repo = (name: string): { url: string; description: string } => ({ url: `https://dev.azure.com/contoso/${name}`, description: `${name} repo` });

/** Fifty projects, ids 1–50 (SharePoint item ids). */
export const sandboxProjects: readonly SandboxProject[] = [
  { id: 1, title: "Atlas customer portal", summary: "Self-service portal for order tracking and invoices.", clientId: 1, owner: 0, status: "On track", tags: ["Web"], budget: 180000, progress: 0.55, billable: true, due: "2026-06-30", nextReview: "2026-03-16T09:00:00Z", repository: repo("atlas-portal") },
  { id: 2, title: "Beacon mobile app", summary: "Field-service app for iOS and Android with offline sync.", clientId: 3, owner: 1, status: "On track", tags: ["Mobile"], budget: 240000, progress: 0.4, billable: true, due: "2026-09-15", nextReview: "2026-03-18T13:30:00Z", repository: repo("beacon-app") },
  { id: 3, title: "Cobalt data warehouse", summary: "Move reporting from on-premises SQL to a cloud warehouse.", clientId: 4, owner: 2, status: "At risk", tags: ["Cloud", "Data"], budget: 410000, progress: 0.3, billable: true, due: "2026-07-31", nextReview: "2026-03-17T08:00:00Z", repository: repo("cobalt-dw") },
  { id: 4, title: "Delta SSO rollout", summary: "Single sign-on for all partner-facing applications.", clientId: 8, owner: 3, status: "Done", tags: ["Security"], budget: 65000, progress: 1, billable: false, due: "2026-02-27", nextReview: null, repository: null },
  { id: 5, title: "Ember pricing engine", summary: "Rules-based pricing service replacing spreadsheet quotes.", clientId: 2, owner: 4, status: "On track", tags: ["Cloud", "Data"], budget: 150000, progress: 0.6, billable: true, due: "2026-05-22", nextReview: "2026-03-17T13:00:00Z", repository: repo("ember-pricing") },
  { id: 6, title: "Falcon ML forecasting", summary: "Demand forecasting model for the Q3 buying cycle.", clientId: 6, owner: 5, status: "Not started", tags: ["AI", "Data"], budget: 95000, progress: 0, billable: true, due: "2026-10-30", nextReview: null, repository: null },
  { id: 7, title: "Garnet support chatbot", summary: "First-line support assistant on the help centre.", clientId: 1, owner: 6, status: "On track", tags: ["AI", "Web"], budget: 120000, progress: 0.35, billable: true, due: "2026-05-29", nextReview: "2026-03-19T10:00:00Z", repository: repo("garnet-bot") },
  { id: 8, title: "Harbor network refresh", summary: "Replace branch routers and move to SD-WAN.", clientId: 8, owner: 7, status: "At risk", tags: ["Cloud", "Security"], budget: 310000, progress: 0.45, billable: false, due: "2026-08-14", nextReview: "2026-03-20T07:30:00Z", repository: null },
  { id: 9, title: "Iris accessibility audit", summary: "WCAG 2.2 audit and fixes for the public website.", clientId: 5, owner: 0, status: "On track", tags: ["Compliance", "Web"], budget: 38000, progress: 0.7, billable: true, due: "2026-04-17", nextReview: null, repository: null },
  { id: 10, title: "Jade invoice automation", summary: "Read supplier invoices and post them to the ERP.", clientId: 4, owner: 1, status: "Blocked", tags: ["AI", "Data"], budget: 88000, progress: 0.2, billable: true, due: "2026-06-12", nextReview: "2026-03-16T14:00:00Z", repository: repo("jade-invoices") },
  { id: 11, title: "Kestrel loyalty program", summary: "Points, tiers and rewards in the web shop.", clientId: 3, owner: 2, status: "On track", tags: ["Web"], budget: 130000, progress: 0.5, billable: true, due: "2026-07-03", nextReview: "2026-03-23T09:00:00Z", repository: repo("kestrel-loyalty") },
  { id: 12, title: "Lumen GDPR records", summary: "Processing register and data-subject request workflow.", clientId: 4, owner: 3, status: "At risk", tags: ["Compliance"], budget: 54000, progress: 0.4, billable: true, due: "2026-05-08", nextReview: "2026-03-18T08:30:00Z", repository: null },
  { id: 13, title: "Magnet partner API", summary: "Public REST API for resellers with usage plans.", clientId: 2, owner: 4, status: "On track", tags: ["Cloud", "Web"], budget: 205000, progress: 0.65, billable: true, due: "2026-06-26", nextReview: null, repository: repo("magnet-api") },
  { id: 14, title: "Nimbus cloud migration", summary: "Lift the remaining 40 VMs into the landing zone.", clientId: 8, owner: 5, status: "On track", tags: ["Cloud"], budget: 520000, progress: 0.25, billable: false, due: "2026-12-11", nextReview: "2026-03-24T12:00:00Z", repository: repo("nimbus-lz") },
  { id: 15, title: "Onyx payroll integration", summary: "Feed hours from the timesheet tool into payroll.", clientId: 6, owner: 6, status: "Done", tags: ["Data"], budget: 42000, progress: 1, billable: true, due: "2026-03-06", nextReview: null, repository: repo("onyx-payroll") },
  { id: 16, title: "Pulse employee survey", summary: "Quarterly engagement survey with team dashboards.", clientId: 8, owner: 7, status: "Not started", tags: ["Data", "Web"], budget: 27000, progress: 0, billable: false, due: "2026-09-04", nextReview: null, repository: null },
  { id: 17, title: "Quartz document search", summary: "Semantic search over contracts and policies.", clientId: 5, owner: 0, status: "On track", tags: ["AI", "Data"], budget: 115000, progress: 0.45, billable: true, due: "2026-07-17", nextReview: "2026-03-25T09:30:00Z", repository: repo("quartz-search") },
  { id: 18, title: "Raven fraud alerts", summary: "Real-time card fraud scoring for online payments.", clientId: 4, owner: 1, status: "At risk", tags: ["AI", "Security"], budget: 275000, progress: 0.35, billable: true, due: "2026-08-28", nextReview: "2026-03-19T15:00:00Z", repository: repo("raven-fraud") },
  { id: 19, title: "Sable warehouse scanners", summary: "Replace handheld scanners and the picking app.", clientId: 7, owner: 2, status: "On track", tags: ["Mobile"], budget: 98000, progress: 0.5, billable: true, due: "2026-06-19", nextReview: null, repository: repo("sable-picking") },
  { id: 20, title: "Talon pen test", summary: "External penetration test and remediation plan.", clientId: 8, owner: 3, status: "Done", tags: ["Security"], budget: 31000, progress: 1, billable: false, due: "2026-02-13", nextReview: null, repository: null },
  { id: 21, title: "Umber e-signature", summary: "Sign contracts online instead of by courier.", clientId: 2, owner: 4, status: "On track", tags: ["Compliance", "Web"], budget: 47000, progress: 0.8, billable: true, due: "2026-04-24", nextReview: "2026-03-26T10:00:00Z", repository: repo("umber-sign") },
  { id: 22, title: "Vega sales dashboards", summary: "Pipeline and win-rate dashboards for regional leads.", clientId: 6, owner: 5, status: "On track", tags: [], budget: 36000, progress: 0.6, billable: true, due: "2026-05-15", nextReview: null, repository: repo("vega-dashboards") },
  { id: 23, title: "Willow HR onboarding", summary: "Digital onboarding checklist for new joiners.", clientId: 8, owner: 6, status: "Blocked", tags: ["Web"], budget: 44000, progress: 0.15, billable: false, due: "2026-06-05", nextReview: "2026-03-17T11:00:00Z", repository: null },
  { id: 24, title: "Xenon IoT telemetry", summary: "Collect sensor data from 1,200 cold-chain trucks.", clientId: 7, owner: 7, status: "On track", tags: ["Cloud", "Data"], budget: 340000, progress: 0.4, billable: true, due: "2026-10-16", nextReview: "2026-03-27T08:00:00Z", repository: repo("xenon-telemetry") },
  { id: 25, title: "Yarrow contract renewals", summary: "Reminders and approval flow for expiring contracts.", clientId: 5, owner: 0, status: "Not started", tags: ["Compliance"], budget: 29000, progress: 0, billable: true, due: "2026-09-25", nextReview: null, repository: null },
  { id: 26, title: "Zephyr travel booking", summary: "Corporate travel booking with policy checks.", clientId: 8, owner: 1, status: "On track", tags: ["Mobile", "Web"], budget: 73000, progress: 0.55, billable: false, due: "2026-05-29", nextReview: null, repository: repo("zephyr-travel") },
  { id: 27, title: "Aurora customer 360", summary: "One customer view across CRM, billing and support.", clientId: 1, owner: 2, status: "At risk", tags: ["Data"], budget: 380000, progress: 0.3, billable: true, due: "2026-11-13", nextReview: "2026-03-20T13:00:00Z", repository: repo("aurora-c360") },
  { id: 28, title: "Basalt backup redesign", summary: "Immutable backups and quarterly restore drills.", clientId: 8, owner: 3, status: "On track", tags: ["Cloud", "Security"], budget: 86000, progress: 0.5, billable: false, due: "2026-07-10", nextReview: null, repository: null },
  { id: 29, title: "Cedar supplier portal", summary: "Suppliers upload certificates and delivery notes.", clientId: 7, owner: 4, status: "On track", tags: ["Web"], budget: 112000, progress: 0.45, billable: true, due: "2026-08-07", nextReview: "2026-03-30T09:00:00Z", repository: repo("cedar-suppliers") },
  { id: 30, title: "Dune route optimisation", summary: "Plan delivery routes with live traffic data.", clientId: 7, owner: 5, status: "Not started", tags: ["AI", "Data"], budget: 160000, progress: 0, billable: true, due: "2026-11-27", nextReview: null, repository: null },
  { id: 31, title: "Echo call transcripts", summary: "Transcribe and tag support calls for coaching.", clientId: 3, owner: 6, status: "On track", tags: ["AI"], budget: 67000, progress: 0.5, billable: true, due: "2026-06-19", nextReview: "2026-03-24T14:30:00Z", repository: repo("echo-transcripts") },
  { id: 32, title: "Flint asset register", summary: "Track laptops, phones and licences per employee.", clientId: 8, owner: 7, status: "Done", tags: ["Data"], budget: 24000, progress: 1, billable: false, due: "2026-01-30", nextReview: null, repository: repo("flint-assets") },
  { id: 33, title: "Glacier archive cleanup", summary: "Retire the tape archive after the retention review.", clientId: 8, owner: 0, status: "Not started", tags: ["Compliance"], budget: 18000, progress: 0, billable: false, due: "2026-10-02", nextReview: null, repository: null },
  { id: 34, title: "Helix lab scheduling", summary: "Book lab equipment and track maintenance windows.", clientId: 5, owner: 1, status: "On track", tags: ["Web"], budget: 58000, progress: 0.7, billable: true, due: "2026-05-08", nextReview: null, repository: repo("helix-labs") },
  { id: 35, title: "Indigo brand refresh", summary: "New design system and website templates.", clientId: 6, owner: 2, status: "On track", tags: ["Web"], budget: 92000, progress: 0.6, billable: true, due: "2026-06-26", nextReview: "2026-03-31T10:00:00Z", repository: repo("indigo-design") },
  { id: 36, title: "Juniper AML screening", summary: "Screen new customers against sanctions lists.", clientId: 4, owner: 3, status: "At risk", tags: ["Compliance", "Security"], budget: 195000, progress: 0.35, billable: true, due: "2026-07-24", nextReview: "2026-03-18T15:30:00Z", repository: repo("juniper-aml") },
  { id: 37, title: "Krypton key rotation", summary: "Automate certificate and secret rotation.", clientId: 8, owner: 4, status: "On track", tags: ["Security"], budget: 41000, progress: 0.75, billable: false, due: "2026-04-30", nextReview: null, repository: repo("krypton-keys") },
  { id: 38, title: "Lotus retail kiosks", summary: "In-store kiosks for click-and-collect orders.", clientId: 3, owner: 5, status: "Blocked", tags: ["Mobile", "Web"], budget: 134000, progress: 0.25, billable: true, due: "2026-09-11", nextReview: "2026-03-25T13:00:00Z", repository: null },
  { id: 39, title: "Maple energy reporting", summary: "CSRD energy and emissions figures per site.", clientId: 2, owner: 6, status: "On track", tags: ["Compliance", "Data"], budget: 76000, progress: 0.4, billable: true, due: "2026-08-21", nextReview: null, repository: repo("maple-csrd") },
  { id: 40, title: "Nova voice ordering", summary: "Reorder staples by voice assistant.", clientId: 1, owner: 7, status: "Not started", tags: ["AI", "Mobile"], budget: 82000, progress: 0, billable: true, due: "2026-12-04", nextReview: null, repository: null },
  { id: 41, title: "Opal claims triage", summary: "Sort incoming insurance claims by urgency.", clientId: 4, owner: 0, status: "Not started", tags: ["AI"], budget: 143000, progress: 0, billable: true, due: "2026-11-06", nextReview: null, repository: null },
  { id: 42, title: "Pine intranet search", summary: "Better search and page templates on the intranet.", clientId: 8, owner: 1, status: "On track", tags: ["Web"], budget: 33000, progress: 0.2, billable: false, due: "2026-07-31", nextReview: "2026-04-01T09:00:00Z", repository: repo("pine-intranet") },
  { id: 43, title: "Quill content studio", summary: "Plan, write and approve marketing content in one place.", clientId: 6, owner: 2, status: "On track", tags: ["AI", "Web"], budget: 99000, progress: 0.15, billable: true, due: "2026-09-18", nextReview: null, repository: repo("quill-studio") },
  { id: 44, title: "Rune license audit", summary: "Reconcile software licences with actual use.", clientId: 8, owner: 3, status: "Not started", tags: ["Compliance"], budget: 15000, progress: 0, billable: false, due: "2026-06-30", nextReview: null, repository: null },
  { id: 45, title: "Slate field inspections", summary: "Tablet forms for site inspections with photos.", clientId: 7, owner: 4, status: "On track", tags: ["Mobile"], budget: 71000, progress: 0.1, billable: true, due: "2026-10-09", nextReview: "2026-04-02T11:00:00Z", repository: repo("slate-inspect") },
  { id: 46, title: "Topaz churn model", summary: "Predict which subscribers are likely to cancel.", clientId: 3, owner: 5, status: "Not started", tags: ["AI", "Data"], budget: 87000, progress: 0, billable: true, due: "2026-12-18", nextReview: null, repository: null },
  { id: 47, title: "Ultra low-code pilot", summary: "Pilot a low-code platform with two business teams.", clientId: 8, owner: 6, status: "On track", tags: ["Cloud"], budget: 26000, progress: 0.3, billable: false, due: "2026-05-22", nextReview: null, repository: null },
  { id: 48, title: "Vertex API gateway", summary: "One gateway for internal APIs with rate limits.", clientId: 2, owner: 7, status: "On track", tags: ["Cloud", "Security"], budget: 118000, progress: 0.2, billable: true, due: "2026-08-28", nextReview: "2026-04-06T08:30:00Z", repository: repo("vertex-gateway") },
  { id: 49, title: "Wren returns portal", summary: "Customers start returns and print labels online.", clientId: 5, owner: 0, status: "Not started", tags: ["Web"], budget: 64000, progress: 0, billable: true, due: "2026-10-23", nextReview: null, repository: null },
  { id: 50, title: "Zinc test automation", summary: "End-to-end tests for the web shop in CI.", clientId: 1, owner: 1, status: "On track", tags: ["Cloud", "Web"], budget: 52000, progress: 0.1, billable: true, due: "2026-07-17", nextReview: null, repository: repo("zinc-e2e") },
];

/** Projects 1–40 are on the page; 41–50 were added in SharePoint since someone last copied the table. */
export const PROJECTS_ON_PAGE = 40;

/**
 * Where the page's copy differs from the list (the first sync reconciles these). An empty cell next to a value
 * is filled from the side that has it; nowhere do both sides hold different values, which would be a conflict.
 */
export const pageDrift = {
  /** Cells left empty on the page (the list has the value): filled on the page. */
  blankOnPage: [
    { id: 5, header: "Next review" },
    { id: 14, header: "Progress" },
    { id: 27, header: "Repository" },
  ],
  /** Values someone typed only on the page (empty in the list): written to SharePoint. */
  onlyOnPage: {
    /** Project 9 has no repository in SharePoint. */
    9: { repository: repo("iris-a11y") },
    /** Project 22 has no tags in SharePoint. */
    22: { tags: ["Data", "Web"] as ProjectTag[] },
  },
} as const;
