import type { GraphSeedInput } from "../../dev/emulators/graph/graphSeed";
import type { ColumnDefinition } from "../../shared/mapping/columnDefinition";

export const TEST_TENANT_ID = "7d4b2f0e-3a8c-4c1e-9b6f-1a2b3c4d5e6f";
export const TEST_CLIENT_ID = "5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c9d";
/** A test value, but still never to appear in logs or errors: tests assert that. */
export const TEST_CLIENT_SECRET = "emulator~Secret.Value_0123456789";
export const TEST_SITE_ID =
  "contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe";
export const TEST_LIST_ID = "22e03ef3-6ef4-424d-a1d3-92a337807c30";

/** The columns of the test list: one of each kind the sync cares about, in real columnDefinition shapes. */
export const testColumns: ColumnDefinition[] = [
  { name: "Title", displayName: "Title", required: true, text: { allowMultipleLines: false, maxLength: 255 } },
  {
    name: "Status",
    displayName: "Status",
    choice: { allowTextEntry: false, choices: ["Open", "Doing", "Done"], displayAs: "dropDownMenu" },
  },
  {
    name: "Tags",
    displayName: "Tags",
    choice: { allowTextEntry: false, choices: ["red", "green", "blue"], displayAs: "checkBoxes" },
  },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "two", displayAs: "number" } },
  { name: "Due_x0020_Date", displayName: "Due Date", dateTime: { displayAs: "default", format: "dateOnly" } },
  { name: "Done", displayName: "Done", boolean: {} },
  {
    name: "Owner",
    displayName: "Owner",
    personOrGroup: { allowMultipleSelection: false, chooseFromType: "peopleOnly", displayAs: "nameWithPresence" },
  },
  {
    name: "Reviewers",
    displayName: "Reviewers",
    personOrGroup: { allowMultipleSelection: true, chooseFromType: "peopleOnly" },
  },
  { name: "Link", displayName: "Link", hyperlinkOrPicture: { isPicture: false } },
  { name: "Code", displayName: "Code", indexed: true, text: { maxLength: 255 } },
];

export const testPeople = [
  { lookupId: "11", displayName: "Megan Bowen", email: "MeganB@contoso.onmicrosoft.com" },
  { lookupId: "12", displayName: "Alex Wilber", email: "AlexW@contoso.onmicrosoft.com" },
];

/**
 * A seed with one site and one list of `itemCount` generated items (ids 1…n). Built in a loop, not from a fixture,
 * so a 5,000-item list costs milliseconds.
 */
export function buildGraphSeed(
  options: { itemCount?: number; settings?: Record<string, unknown>; withManagedIdentity?: boolean } = {},
): { graph: GraphSeedInput } {
  const items = Array.from({ length: options.itemCount ?? 3 }, (_, i) => {
    const n = i + 1;
    return {
      id: String(n),
      fields: {
        Title: `Item ${n}`,
        Code: `C${String(n).padStart(5, "0")}`,
        Status: ["Open", "Doing", "Done"][n % 3],
        Amount: n * 1.5,
        Done: n % 2 === 0,
      },
    };
  });
  return {
    graph: {
      tenantId: TEST_TENANT_ID,
      clients: [{ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, displayName: "ConfluenceSync tests" }],
      ...(options.withManagedIdentity
        ? {
            managedIdentity: {
              identityHeader: "test-identity-header",
              clientId: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            },
          }
        : {}),
      people: testPeople,
      sites: [
        {
          id: TEST_SITE_ID,
          displayName: "Contoso Projects",
          lists: [{ id: TEST_LIST_ID, displayName: "Projects", columns: testColumns, items }],
        },
      ],
      ...(options.settings ? { settings: options.settings } : {}),
    },
  };
}
