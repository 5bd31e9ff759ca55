import type { ColumnDefinition } from "../../../shared/mapping/columnDefinition";
import type { GraphSeedInput } from "../../emulators/graph/graphSeed";
import {
  PROJECT_STATUSES,
  PROJECT_TAGS,
  SANDBOX_SITE_TIME_ZONE,
  type SandboxProject,
  sandboxClients,
  sandboxPeople,
  sandboxProjects,
} from "./sandboxPortfolio";

/**
 * The `graph` section of the sandbox seed: an Entra tenant with the app registration ConfluenceSync uses, the site's
 * people, and the Contoso Projects site with two lists — "Clients" (what the Client lookup points at) and
 * "Projects" (the synced list) — in Graph's own shapes: columnDefinitions as `GET …/columns` describes them (plus
 * the hyperlink facet, which SharePoint knows and Graph's column listing leaves out), values as Graph reads them.
 */

export const SANDBOX_TENANT_ID = "9d2c5e4a-7b1f-4c3d-8e6a-2f4b6d8a0c1e";
export const SANDBOX_GRAPH_CLIENT_ID = "3f8e1a2b-5c4d-4e6f-9a7b-8c9d0e1f2a3b";
/** The sandbox app's secret: it opens only the emulator, yet is handled like a real secret (never printed). */
export const SANDBOX_GRAPH_CLIENT_SECRET = "sandbox~Graph.Secret_7Qm2Vx9Lp4Rt";
export const SANDBOX_SITE_ID =
  "contoso.sharepoint.com,6a1f3c5e-2b4d-4f6a-8c0e-1d3f5b7a9c2e,8e2a4c6f-3d5b-4a7c-9e1f-2b4d6f8a0c3e";
export const SANDBOX_PROJECTS_LIST_ID = "4c7e9a1b-3d5f-4b8a-9c2e-6f8a0b2d4e6f";
export const SANDBOX_CLIENTS_LIST_ID = "1b3d5f7a-9c2e-4d6f-8a0b-3c5e7a9b1d2f";

/** A custom column as Graph lists it: every flag present, as the real service returns them. */
function column(
  id: string,
  name: string,
  displayName: string,
  facet: Partial<ColumnDefinition>,
  flags: Partial<ColumnDefinition> = {},
): ColumnDefinition {
  return {
    columnGroup: "Custom Columns",
    description: "",
    displayName,
    enforceUniqueValues: false,
    hidden: false,
    id,
    indexed: false,
    name,
    readOnly: false,
    required: false,
    ...flags,
    ...facet,
  };
}

export const sandboxProjectColumns: ColumnDefinition[] = [
  column(
    "fa564e0f-0c70-4ab9-b863-0177e6ddd247",
    "Title",
    "Project",
    { text: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 } },
    { required: true },
  ),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d01", "Summary", "Summary", {
    text: {
      allowMultipleLines: true,
      appendChangesToExistingText: false,
      linesForEditing: 6,
      maxLength: 63999,
      textType: "plain",
    },
  }),
  column(
    "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d02",
    "Status",
    "Status",
    { choice: { allowTextEntry: false, choices: [...PROJECT_STATUSES], displayAs: "dropDownMenu" } },
    { indexed: true },
  ),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d03", "Tags", "Tags", {
    choice: { allowTextEntry: false, choices: [...PROJECT_TAGS], displayAs: "checkBoxes" },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d04", "Owner", "Owner", {
    personOrGroup: { allowMultipleSelection: false, chooseFromType: "peopleOnly", displayAs: "nameWithPresence" },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d05", "Client", "Client", {
    lookup: {
      allowMultipleValues: false,
      allowUnlimitedLength: false,
      columnName: "Title",
      listId: SANDBOX_CLIENTS_LIST_ID,
    },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d06", "Budget", "Budget", { currency: { locale: "en-US" } }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d07", "Progress", "Progress", {
    number: { decimalPlaces: "none", displayAs: "percentage", maximum: 1, minimum: 0 },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d08", "Billable", "Billable", { boolean: {} }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d09", "Due_x0020_Date", "Due Date", {
    dateTime: { displayAs: "default", format: "dateOnly" },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d10", "Next_x0020_Review", "Next Review", {
    dateTime: { displayAs: "standard", format: "dateTime" },
  }),
  column("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d11", "Repository", "Repository", {
    hyperlinkOrPicture: { isPicture: false },
  }),
];

const clientColumns: ColumnDefinition[] = [
  column(
    "fa564e0f-0c70-4ab9-b863-0177e6ddd247",
    "Title",
    "Client",
    { text: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 } },
    { required: true, enforceUniqueValues: true, indexed: true },
  ),
  column("2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e01", "Country", "Country", {
    text: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 },
  }),
];

/** Midnight of `date` in the site's time zone, as the UTC instant SharePoint stores for a date-only value. */
export function siteMidnightUtc(date: string): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, day);
  // The zone's offset at that moment ("GMT+02:00"); no sandbox date falls on a daylight-saving switch day.
  const offset = new Intl.DateTimeFormat("en-US", { timeZone: SANDBOX_SITE_TIME_ZONE, timeZoneName: "longOffset" })
    .formatToParts(utcMidnight)
    .find((part) => part.type === "timeZoneName")!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(offset);
  const offsetMinutes = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return new Date(utcMidnight - offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A project's `fields` as Graph reads them (and as a person enters them): lookups by id, hyperlinks as objects. */
export function projectFields(project: SandboxProject): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    Title: project.title,
    Summary: project.summary,
    Status: project.status,
    OwnerLookupId: sandboxPeople[project.owner]!.lookupId,
    ClientLookupId: String(project.clientId),
    Budget: project.budget,
    Progress: project.progress,
    Billable: project.billable,
    Due_x0020_Date: siteMidnightUtc(project.due),
  };
  if (project.tags.length > 0) fields.Tags = [...project.tags];
  if (project.nextReview !== null) fields.Next_x0020_Review = project.nextReview;
  if (project.repository !== null)
    fields.Repository = { Description: project.repository.description, Url: project.repository.url };
  return fields;
}

/** Every project was created in January and last edited in February 2026 (fixed, so the seed file is stable). */
function itemTimes(id: number): { Created: string; Modified: string } {
  const day = String(1 + (id % 28)).padStart(2, "0");
  return {
    Created: `2026-01-${day}T08:${String(id % 60).padStart(2, "0")}:00Z`,
    Modified: `2026-02-${day}T16:${String((id * 7) % 60).padStart(2, "0")}:00Z`,
  };
}

export function sandboxGraphSeed(): GraphSeedInput {
  return {
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
        displayName: "Contoso Projects",
        timeZone: SANDBOX_SITE_TIME_ZONE,
        lists: [
          {
            id: SANDBOX_CLIENTS_LIST_ID,
            displayName: "Clients",
            columns: clientColumns,
            items: sandboxClients.map((client) => ({
              id: String(client.id),
              fields: { Title: client.name, Country: client.country },
            })),
          },
          {
            id: SANDBOX_PROJECTS_LIST_ID,
            displayName: "Projects",
            columns: sandboxProjectColumns,
            items: sandboxProjects.map((project) => ({
              id: String(project.id),
              fields: { ...projectFields(project), ...itemTimes(project.id) },
            })),
          },
        ],
      },
    ],
  };
}
