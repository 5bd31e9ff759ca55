import type { ProfileInput } from "../shared/config";
import type { ColumnDefinition } from "../shared/mapping";
import { SecretNames } from "../shared/secrets/secretsProvider";
import type { EmulatorUrls } from "./emulatorProcess";

/**
 * The benchmark's SharePoint site and Confluence space, generated for a list size: list A (synced by the engine) and
 * list B (rewritten by the naive baseline), each of `size` items; page E (empty table: the engine's first sync onto a
 * new page), page P (the engine's page, its table pre-filled) and page B (the baseline's, pre-filled).
 *
 * A Confluence page holds at most 5 MB of storage (413 above it), about 45,000 rows of this table: a page holding
 * 100,000 rows does not exist. The pre-filled tables hold the first `rowsOnPage` items, as many as fit in
 * `pageBudgetBytes`; when the list is larger, the profile is one a real 100k-item list would need — rows are synced
 * both ways field by field, but new SharePoint items get no row (`direction: toSharePoint` with every field `both`),
 * so the list's other items are read, remembered and left off the page.
 */

/** Values of one item / row: what the benchmark expects both sides to hold. */
export interface BenchValues {
  title: string;
  status: string;
  amount: number;
}

const TENANT_ID = "0b5e6a8c-1d2f-4e3a-9b7c-5d6e7f8a9b0c";
const GRAPH_CLIENT_ID = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
/** Emulator credentials, never real ones; still only ever passed through the secrets provider. */
const GRAPH_CLIENT_SECRET = "bench~Emulator.Secret_0123456789";
const SITE_ID = "contoso.sharepoint.com,5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f,6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d";
const CLOUD_ID = "2b1c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b";
const SITE_URL = "https://contoso.atlassian.net";
const CONFLUENCE_CLIENT_ID = "bench-client-id-0123456789";
const CONFLUENCE_CLIENT_SECRET = "bench-client-secret-ABCDEFGHIJKLMNOP";
const SPACE_ID = "131073";
const HOME_PAGE_ID = "196609";

export const BENCH_LISTS = {
  engine: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
  naive: "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a",
} as const;
export const BENCH_PAGES = { empty: "196610", engine: "196611", naive: "196612" } as const;
export const BENCH_SITE_ID = SITE_ID;

const STATUSES = ["Open", "Doing", "Done"] as const;

const columns: ColumnDefinition[] = [
  { name: "Title", displayName: "Title", required: true, text: { allowMultipleLines: false, maxLength: 255 } },
  {
    name: "Status",
    displayName: "Status",
    choice: { allowTextEntry: false, choices: [...STATUSES], displayAs: "dropDownMenu" },
  },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
];
const HEADERS = ["ID", "Title", "Status", "Amount"];

/** The three mapped fields, SharePoint column → table header. */
export const BENCH_FIELDS = columns.map((column) => ({ sharePoint: column.name!, confluence: column.name! }));

export class BenchSite {
  readonly size: number;
  /** Items 1…rowsOnPage have a row on the pre-filled pages. */
  readonly rowsOnPage: number;
  /** What list A and page P hold (as far as page P shows them), by item id. */
  readonly values = new Map<number, BenchValues>();
  #editRound = 0;

  constructor(size: number, pageBudgetBytes: number) {
    this.size = size;
    for (let id = 1; id <= size; id += 1) this.values.set(id, initialValues(id));
    const longestRow = tableRow(size, initialValues(size)).length;
    this.rowsOnPage = Math.min(size, Math.floor((pageBudgetBytes - pageBody([]).length) / longestRow));
  }

  /** Whether the list has items the page cannot hold (then only rows are synced, see above). */
  get pageHoldsPart(): boolean {
    return this.rowsOnPage < this.size;
  }

  /** The emulators' seed (in the shapes of docs/emulators.md#seed-file). */
  seed(): unknown {
    const items = Array.from({ length: this.size }, (_, index) => {
      const values = initialValues(index + 1);
      return { id: String(index + 1), fields: { Title: values.title, Status: values.status, Amount: values.amount } };
    });
    const prefilled = pageBody(this.#rows(initialValues));
    return {
      graph: {
        tenantId: TENANT_ID,
        clients: [
          { clientId: GRAPH_CLIENT_ID, clientSecret: GRAPH_CLIENT_SECRET, displayName: "ConfluenceSync bench" },
        ],
        sites: [
          {
            id: SITE_ID,
            displayName: "Contoso Projects",
            lists: [
              { id: BENCH_LISTS.engine, displayName: "Projects", columns, items },
              { id: BENCH_LISTS.naive, displayName: "Projects (naive copy)", columns, items },
            ],
          },
        ],
      },
      confluence: {
        cloudId: CLOUD_ID,
        siteUrl: SITE_URL,
        // Stored as sent. Confluence's editor gives every table part and paragraph a local id on save (the emulator's
        // default, docs/emulators.md), which makes a row of this table 545 bytes instead of 92: 10,000 rows would no
        // longer fit one update (5 MB), and the 100,000-item list's page would hold 7,300 rows instead of 39,600.
        // The benchmark measures the sync, at the sizes its targets were set for; the parser's cost on real markup
        // is the mapping benchmark's.
        storageNormalization: "none",
        oauth: {
          clientId: CONFLUENCE_CLIENT_ID,
          clientSecret: CONFLUENCE_CLIENT_SECRET,
          refreshTokens: [refreshToken("engine"), refreshToken("empty"), refreshToken("naive")],
        },
        spaces: [{ id: SPACE_ID, key: "BENCH", name: "Benchmark", homepageId: HOME_PAGE_ID }],
        pages: [
          { id: HOME_PAGE_ID, spaceId: SPACE_ID, title: "Benchmark home", body: "<p>Benchmark pages.</p>" },
          {
            id: BENCH_PAGES.empty,
            spaceId: SPACE_ID,
            parentId: HOME_PAGE_ID,
            title: "Projects (new page)",
            body: pageBody([]),
          },
          { id: BENCH_PAGES.engine, spaceId: SPACE_ID, parentId: HOME_PAGE_ID, title: "Projects", body: prefilled },
          {
            id: BENCH_PAGES.naive,
            spaceId: SPACE_ID,
            parentId: HOME_PAGE_ID,
            title: "Projects (naive copy)",
            body: prefilled,
          },
        ],
      },
    };
  }

  /** Profile `key` on list A and `page`, or (`naive`) on list B and page B, with the emulators' endpoints. */
  profile(key: "engine" | "empty" | "naive", urls: EmulatorUrls): ProfileInput {
    const pageId = key === "engine" ? BENCH_PAGES.engine : key === "empty" ? BENCH_PAGES.empty : BENCH_PAGES.naive;
    return {
      key: `bench-${key}`,
      sharePoint: { siteId: SITE_ID, listId: key === "naive" ? BENCH_LISTS.naive : BENCH_LISTS.engine },
      confluence: { cloudId: CLOUD_ID, target: { mode: "table", pageId } },
      direction: this.pageHoldsPart ? "toSharePoint" : "both",
      fields: BENCH_FIELDS.map((field) => (this.pageHoldsPart ? { ...field, direction: "both" as const } : field)),
      endpoints: {
        graphBaseUrl: urls.graphBaseUrl,
        authorityHost: urls.authorityHost,
        confluenceAuthBaseUrl: urls.confluenceAuthBaseUrl,
        confluenceApiBaseUrl: urls.confluenceApiBaseUrl,
      },
    };
  }

  /** The secrets profile `key` runs with (each its own Atlassian refresh token: they rotate on every use). */
  secrets(key: "engine" | "empty" | "naive"): Record<string, string> {
    return {
      [SecretNames.GraphTenantId]: TENANT_ID,
      [SecretNames.GraphClientId]: GRAPH_CLIENT_ID,
      [SecretNames.GraphClientSecret]: GRAPH_CLIENT_SECRET,
      [SecretNames.ConfluenceClientId]: CONFLUENCE_CLIENT_ID,
      [SecretNames.ConfluenceClientSecret]: CONFLUENCE_CLIENT_SECRET,
      [SecretNames.ConfluenceRefreshToken]: refreshToken(key),
    };
  }

  /** `count` ids spread evenly over the items that have a row. */
  spreadIds(count: number): number[] {
    const step = this.rowsOnPage / count;
    return Array.from({ length: Math.min(count, this.rowsOnPage) }, (_, index) => 1 + Math.floor(index * step));
  }

  /** People change `Amount` of these items in SharePoint: the fields to PATCH, by id. */
  sharePointEdits(ids: readonly number[]): Array<{ id: number; fields: { Amount: number } }> {
    this.#editRound += 1;
    return ids.map((id) => {
      const values = this.values.get(id)!;
      values.amount = id + this.#editRound * 1_000_000;
      return { id, fields: { Amount: values.amount } };
    });
  }

  /** People change `Status` of these rows on page P: the page body to save. */
  confluenceEdits(ids: readonly number[]): string {
    for (const id of ids) {
      const values = this.values.get(id)!;
      values.status = STATUSES[(STATUSES.indexOf(values.status as (typeof STATUSES)[number]) + 1) % STATUSES.length]!;
    }
    return pageBody(this.#rows((id) => this.values.get(id)!));
  }

  #rows(valuesOf: (id: number) => BenchValues): string[] {
    return Array.from({ length: this.rowsOnPage }, (_, index) => tableRow(index + 1, valuesOf(index + 1)));
  }
}

function initialValues(id: number): BenchValues {
  return { title: `Item ${id}`, status: STATUSES[id % STATUSES.length]!, amount: id };
}

function refreshToken(key: string): string {
  return `bench-refresh-token-${key}-0123456789`;
}

/** One data row as the Cloud editor saves it: every cell a paragraph. */
export function tableRow(id: number, values: BenchValues): string {
  return `<tr><td><p>${id}</p></td><td><p>${values.title}</p></td><td><p>${values.status}</p></td><td><p>${values.amount}</p></td></tr>`;
}

/** A page with text around one table: the header row, then `rows`. */
export function pageBody(rows: readonly string[]): string {
  const header = `<tr>${HEADERS.map((header) => `<th><p><strong>${header}</strong></p></th>`).join("")}</tr>`;
  return `<p>Kept in sync with the SharePoint list by ConfluenceSync.</p><table data-layout="wide"><tbody>${header}${rows.join("")}</tbody></table><p>Notes below the table stay as they are.</p>`;
}
