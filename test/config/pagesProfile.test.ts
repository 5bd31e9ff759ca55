import { describe, expect, it } from "vitest";
import { isPagesProfile, profileIssuesFromZod, profileSchema } from "../../shared/config";
import { profileInput } from "./profileFixtures";

const pagesTarget = { mode: "pages", parentPageId: "4231790669", templatePageId: "4231790670" };
const fields = [
  { sharePoint: "Title", confluence: "Customer" },
  { sharePoint: "Status", confluence: "Status" },
];

function issues(overrides: Record<string, unknown>, target: Record<string, unknown> = {}) {
  const parsed = profileSchema.safeParse({
    ...profileInput("p"),
    confluence: { cloudId: "c", target: { ...pagesTarget, ...target } },
    fields,
    ...overrides,
  });
  return parsed.success ? [] : profileIssuesFromZod(parsed.error);
}

describe("a pages-mode profile", () => {
  it("fills in the defaults of docs/configuration.md and is told apart from a table profile", () => {
    const profile = profileSchema.parse({
      ...profileInput("p"),
      confluence: { cloudId: "c", target: pagesTarget },
      fields,
    });
    expect(isPagesProfile(profile)).toBe(true);
    expect(profile.confluence.target).toMatchObject({
      scope: "children",
      feed: "cql",
      titleTemplate: "{Title}",
      titleCollisionTemplate: "{Title} ({ID})",
      linkProperty: "confluencesync.link",
      pageIdColumn: "ConfluencePageId",
      overlapMinutes: 15,
      maxCreatesPerRun: 50,
    });
    expect(isPagesProfile(profileSchema.parse(profileInput("t")))).toBe(false);
  });

  it("refuses a title template naming an unmapped field, at its path", () => {
    expect(issues({}, { titleTemplate: "{Customer} – {Region}" })).toEqual([
      {
        path: "confluence.target.titleTemplate",
        message: "{Customer} names no mapped field; use a mapped field's SharePoint name or {ID}",
      },
      {
        path: "confluence.target.titleTemplate",
        message: "{Region} names no mapped field; use a mapped field's SharePoint name or {ID}",
      },
    ]);
  });

  it("refuses a collision title equal to the title, and templates that name nothing", () => {
    expect(issues({}, { titleCollisionTemplate: "{Title}" }).map((issue) => issue.path)).toEqual([
      "confluence.target.titleCollisionTemplate",
    ]);
    expect(issues({}, { titleTemplate: "Customer" }).map((issue) => issue.path)).toEqual([
      "confluence.target.titleTemplate",
    ]);
  });

  it("refuses gates and link columns that are mapped fields: a gate is never synced", () => {
    expect(issues({ gates: { sharePoint: "Status", confluence: " customer " } })).toEqual([
      expect.objectContaining({ path: "gates.sharePoint" }),
      expect.objectContaining({ path: "gates.confluence" }),
    ]);
    expect(issues({}, { pageIdColumn: "Title" })).toEqual([
      expect.objectContaining({ path: "confluence.target.pageIdColumn" }),
    ]);
    expect(issues({ gates: { sharePoint: "ConfluencePageId" } })).toEqual([
      expect.objectContaining({
        path: "confluence.target.pageIdColumn",
        message: 'column "ConfluencePageId" is also the SharePoint gate',
      }),
    ]);
  });

  it("names unknown properties and bad ids at their paths", () => {
    expect(issues({}, { parentPageId: "abc", colour: "red" })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "confluence.target.parentPageId" }),
        expect.objectContaining({ path: "confluence.target.colour", message: "unknown property" }),
      ]),
    );
  });
});
