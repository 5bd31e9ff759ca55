import type { FieldMapping } from "../../shared/config/profile";
import type { ColumnDefinition } from "../../shared/mapping";

/**
 * Column definitions in the shapes Graph returns (docs/references.md#graph-column-definitions), one per supported type.
 */
export const columns = {
  title: { name: "Title", displayName: "Title", text: { allowMultipleLines: false, maxLength: 255 } },
  notes: { name: "Notes", text: { allowMultipleLines: true, textType: "plain" } },
  richNotes: { name: "RichNotes", text: { allowMultipleLines: true, textType: "richText" } },
  amount: { name: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
  ratio: { name: "Ratio", number: { displayAs: "percentage", minimum: 0, maximum: 1 } },
  cost: { name: "Cost", currency: { locale: "en-us" } },
  done: { name: "Done", boolean: {} },
  status: {
    name: "Status",
    choice: { allowTextEntry: false, choices: ["To do", "In progress", "Done"], displayAs: "dropDownMenu" },
  },
  tags: {
    name: "Tags",
    choice: { allowTextEntry: false, choices: ["red", "green", "blue", "a, b"], displayAs: "checkBoxes" },
  },
  due: { name: "Due", dateTime: { displayAs: "default", format: "dateOnly" } },
  starts: { name: "Starts", dateTime: { displayAs: "default", format: "dateTime" } },
  owner: { name: "Owner", personOrGroup: { allowMultipleSelection: false, chooseFromType: "peopleOnly" } },
  reviewers: { name: "Reviewers", personOrGroup: { allowMultipleSelection: true, chooseFromType: "peopleAndGroups" } },
  project: { name: "Project", lookup: { allowMultipleValues: false, columnName: "Title", listId: "p-list" } },
  projects: { name: "Projects", lookup: { allowMultipleValues: true, columnName: "Title", listId: "p-list" } },
  // Graph omits the hyperlinkOrPicture facet from list column responses.
  link: { name: "Link", displayName: "Link" },
  calculated: { name: "Total", calculated: {} },
} satisfies Record<string, ColumnDefinition>;

export const allColumns: ColumnDefinition[] = Object.values(columns);

export function field(sharePoint: string, confluence = sharePoint, format?: FieldMapping["format"]): FieldMapping {
  return format === undefined ? { sharePoint, confluence } : { sharePoint, confluence, format };
}

export const people = [
  {
    lookupId: "10",
    email: "Alice@Example.com",
    loginName: "i:0#.f|membership|alice@example.com",
    displayName: "Alice",
  },
  { lookupId: "11", email: "bob@example.com", loginName: "i:0#.f|membership|bob@example.com", displayName: "Bob" },
  { lookupId: "12", loginName: "Team Owners", displayName: "Team Owners" },
];

export const projectEntries = [
  { id: "1", value: "Apollo" },
  { id: "2", value: "Gemini" },
  { id: "3", value: "Mercury" },
  { id: "4", value: "Mercury" },
];
