import type { ProfileInput } from "../../shared/config/profile";
import type { ColumnDefinition } from "../../shared/mapping/columnDefinition";
import { type SecretName, SecretNames } from "../../shared/secrets/secretsProvider";
import type { ConfluenceSeedInput } from "../emulators/confluence/confluenceSeed";
import type { GraphSeedInput } from "../emulators/graph/graphSeed";
import {
  SANDBOX_CLOUD_ID,
  SANDBOX_CONFLUENCE_CLIENT_ID,
  SANDBOX_CONFLUENCE_CLIENT_SECRET,
  SANDBOX_CONFLUENCE_REFRESH_TOKEN,
  SANDBOX_CONFLUENCE_SITE_URL,
} from "./scenario/sandboxConfluenceSeed";
import {
  SANDBOX_GRAPH_CLIENT_ID,
  SANDBOX_GRAPH_CLIENT_SECRET,
  SANDBOX_SITE_ID,
  SANDBOX_TENANT_ID,
} from "./scenario/sandboxGraphSeed";
import { sandboxPeople } from "./scenario/sandboxPortfolio";
import type { SandboxEndpoints } from "./scenario/sandboxProfile";

/**
 * The pages demo (`npm run demo -- --pages`, docs/pages-mode.md): Contoso's customer list (30 customers, a yes/no
 * "Sync tracker" gate per customer) and a Confluence space where each customer gets a page under "Customers", made from
 * a template with a Page Properties block. Ids are as large as Cloud's (above 2^31).
 */

export const PAGES_PROFILE_KEY = "sandbox-customers";
export const CUSTOMERS_LIST_ID = "8d2f4b6a-1c3e-4a5b-9d7f-0e2c4a6b8d1f";
export const CUSTOMERS_SPACE_ID = "3777855545";
export const CUSTOMERS_HOME_ID = "4231790660";
export const CUSTOMERS_PARENT_ID = "4231790669";
export const CUSTOMERS_TEMPLATE_ID = "4231790670";
export const GATE_KEY = "Sync to SharePoint";

export const CUSTOMER_STATUS_COLOURS = { "On track": "Green", "At risk": "Yellow", Blocked: "Red" } as const;

/** One customer as seeded. */
export interface SandboxCustomer {
  readonly id: number;
  readonly name: string;
  readonly status: keyof typeof CUSTOMER_STATUS_COLOURS;
  readonly region: "EMEA" | "AMER" | "APAC";
  readonly amount: number;
  readonly goLive: string | null;
  /** The SharePoint gate: customers 29 and 30 start closed (no page until it opens). */
  readonly gate: boolean;
}

const NAMES = [
  "Contoso",
  "Fabrikam",
  "Northwind Traders",
  "Adventure Works",
  "Tailspin Toys",
  "Wide World Importers",
  "Litware",
  "Proseware",
  "Lamna Healthcare",
  "Alpine Ski House",
  "Blue Yonder Airlines",
  "Coho Winery",
  "Consolidated Messenger",
  "Fourth Coffee",
  "Graphic Design Institute",
  "Humongous Insurance",
  "Lucerne Publishing",
  "Margie's Travel",
  "Nod Publishers",
  "Relecloud",
  "School of Fine Art",
  "Southridge Video",
  "Trey Research",
  "VanArsdel",
  "Wingtip Toys",
  "Woodgrove Bank",
  "Bellows College",
  "Best For You Organics",
  "A. Datum Corporation",
  "First Up Consultants",
];

export const sandboxCustomers: readonly SandboxCustomer[] = NAMES.map((name, index) => {
  const id = index + 1;
  return {
    id,
    name,
    status: id % 5 === 0 ? "Blocked" : id % 3 === 0 ? "At risk" : "On track",
    region: id % 3 === 0 ? "EMEA" : id % 3 === 1 ? "AMER" : "APAC",
    amount: 20_000 + ((id * 7_919) % 180) * 1_000,
    goLive:
      id % 4 === 0
        ? null
        : `2026-${String(3 + (id % 9)).padStart(2, "0")}-${String(1 + ((id * 11) % 28)).padStart(2, "0")}`,
    gate: id < 29,
  };
});

const column = (name: string, displayName: string, facet: Partial<ColumnDefinition>): ColumnDefinition => ({
  columnGroup: "Custom Columns",
  description: "",
  displayName,
  enforceUniqueValues: false,
  hidden: false,
  indexed: false,
  name,
  readOnly: false,
  required: false,
  ...facet,
});

export const customerColumns: ColumnDefinition[] = [
  { ...column("Title", "Customer", { text: { allowMultipleLines: false, maxLength: 255 } }), required: true },
  column("Status", "Status", {
    choice: { allowTextEntry: false, choices: Object.keys(CUSTOMER_STATUS_COLOURS), displayAs: "dropDownMenu" },
  }),
  column("Region", "Region", {
    choice: { allowTextEntry: false, choices: ["EMEA", "AMER", "APAC"], displayAs: "dropDownMenu" },
  }),
  column("Amount", "Contract value", { currency: { locale: "en-us" } }),
  column("GoLive", "Go-live", { dateTime: { displayAs: "default", format: "dateOnly" } }),
  column("ConfluencePageId", "Confluence page id", { text: { allowMultipleLines: false, maxLength: 255 } }),
  column("CustomerWiki", "Customer wiki", { hyperlinkOrPicture: { isPicture: false } }),
  column("SyncTracker", "Sync tracker", { boolean: {} }),
];

export function customerFields(customer: SandboxCustomer): Record<string, unknown> {
  return {
    Title: customer.name,
    Status: customer.status,
    Region: customer.region,
    Amount: customer.amount,
    ...(customer.goLive === null ? {} : { GoLive: `${customer.goLive}T00:00:00Z` }),
    SyncTracker: customer.gate,
  };
}

function statusMacro(title: string, colour: string): string {
  return `<ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="colour">${colour}</ac:parameter><ac:parameter ac:name="title">${title}</ac:parameter></ac:structured-macro>`;
}

/** The template: an introduction, the Page Properties block (placeholders, a grey "SELECT" lozenge, the gate at Yes), notes. */
export function customerTemplateBody(): string {
  const row = (key: string, value: string) => `<tr><th><p><strong>${key}</strong></p></th><td>${value}</td></tr>`;
  return (
    "<p>One page per customer. The table is kept in sync with the Customers list in SharePoint; everything else on the page is yours.</p>" +
    '<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:parameter ac:name="id">customer</ac:parameter><ac:rich-text-body>' +
    "<table><tbody>" +
    row("Customer", "<p><ac:placeholder>The customer's name</ac:placeholder></p>") +
    row("Status", `<p>${statusMacro("SELECT", "Grey")}</p>`) +
    row("Region", "<p><ac:placeholder>EMEA, AMER or APAC</ac:placeholder></p>") +
    row("Contract value", "<p><ac:placeholder>In USD</ac:placeholder></p>") +
    row("Go-live", "<p><ac:placeholder>Pick a date</ac:placeholder></p>") +
    row(GATE_KEY, "<p>Yes</p>") +
    "</tbody></table></ac:rich-text-body></ac:structured-macro>" +
    "<h2>Notes</h2><p><ac:placeholder>Meeting notes, contacts, anything.</ac:placeholder></p>"
  );
}

export function pagesSandboxSeed(): { graph: GraphSeedInput; confluence: ConfluenceSeedInput } {
  return {
    graph: {
      tenantId: SANDBOX_TENANT_ID,
      clients: [
        {
          clientId: SANDBOX_GRAPH_CLIENT_ID,
          clientSecret: SANDBOX_GRAPH_CLIENT_SECRET,
          displayName: "ConfluenceSync (sandbox)",
        },
      ],
      people: sandboxPeople.map(({ lookupId, displayName, email }) => ({ lookupId, displayName, email })),
      sites: [
        {
          id: SANDBOX_SITE_ID,
          displayName: "Contoso Customers",
          lists: [
            {
              id: CUSTOMERS_LIST_ID,
              displayName: "Customers",
              columns: customerColumns,
              items: sandboxCustomers.map((customer) => ({
                id: String(customer.id),
                fields: customerFields(customer),
              })),
            },
          ],
        },
      ],
    },
    confluence: {
      cloudId: SANDBOX_CLOUD_ID,
      siteUrl: SANDBOX_CONFLUENCE_SITE_URL,
      siteName: "Contoso",
      oauth: {
        clientId: SANDBOX_CONFLUENCE_CLIENT_ID,
        clientSecret: SANDBOX_CONFLUENCE_CLIENT_SECRET,
        refreshTokens: [SANDBOX_CONFLUENCE_REFRESH_TOKEN],
      },
      spaces: [{ id: CUSTOMERS_SPACE_ID, key: "CUST", name: "Customers", homepageId: CUSTOMERS_HOME_ID }],
      pages: [
        { id: CUSTOMERS_HOME_ID, spaceId: CUSTOMERS_SPACE_ID, title: "Customers home", body: "<p>Welcome.</p>" },
        {
          id: CUSTOMERS_PARENT_ID,
          spaceId: CUSTOMERS_SPACE_ID,
          parentId: CUSTOMERS_HOME_ID,
          title: "Customers",
          body: '<p>Every customer has a page below. The overview:</p><ac:structured-macro ac:name="detailssummary" ac:schema-version="3"><ac:parameter ac:name="cql">parent = currentContent()</ac:parameter></ac:structured-macro>',
        },
        {
          id: CUSTOMERS_TEMPLATE_ID,
          spaceId: CUSTOMERS_SPACE_ID,
          parentId: CUSTOMERS_HOME_ID,
          title: "Customer page template",
          body: customerTemplateBody(),
        },
      ],
      appAccountId: "557058:c0ffee00-sync-4c0f-9e11-5a9d8b7c6e5f",
      humanAccountId: sandboxPeople[2]!.accountId,
      storageNormalization: "confluence",
    },
  };
}

/**
 * The pages demo's profile, as an admin would write it: a page per customer under "Customers", from the template,
 * the block by its Page Properties id, both gates, the page id and URL written back, a sweep every 5 minutes (the
 * demo moves its clock on to show one).
 */
export function pagesProfileFile(endpoints: SandboxEndpoints): ProfileInput & { secrets: Record<SecretName, string> } {
  return {
    key: PAGES_PROFILE_KEY,
    displayName: "Contoso Customers list ⇄ one Confluence page per customer",
    sharePoint: { siteId: SANDBOX_SITE_ID, listId: CUSTOMERS_LIST_ID, auth: { mode: "clientSecret" } },
    confluence: {
      siteUrl: SANDBOX_CONFLUENCE_SITE_URL,
      target: {
        mode: "pages",
        parentPageId: CUSTOMERS_PARENT_ID,
        templatePageId: CUSTOMERS_TEMPLATE_ID,
        titleTemplate: "{Title}",
        titleCollisionTemplate: "{Title} ({ID})",
        block: { detailsId: "customer" },
        pageIdColumn: "ConfluencePageId",
        pageUrlColumn: "CustomerWiki",
        sweepEveryMinutes: 5,
      },
    },
    direction: "both",
    fields: [
      { sharePoint: "Title", confluence: "Customer" },
      {
        sharePoint: "Status",
        confluence: "Status",
        format: { kind: "status", colours: { ...CUSTOMER_STATUS_COLOURS }, defaultColour: "Grey" },
      },
      { sharePoint: "Region", confluence: "Region" },
      { sharePoint: "Amount", confluence: "Contract value" },
      { sharePoint: "GoLive", confluence: "Go-live", format: { kind: "date" } },
    ],
    gates: { sharePoint: "SyncTracker", confluence: GATE_KEY },
    conflictPolicy: "flag",
    deletes: { toConfluence: "keep", toSharePoint: "keep" },
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
