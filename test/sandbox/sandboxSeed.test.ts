import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { confluenceSeedSchema } from "../../dev/emulators/confluence/confluenceSeed";
import { storageXhtmlError } from "../../dev/emulators/confluence/storageXhtml";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { graphSeedSchema } from "../../dev/emulators/graph/graphSeed";
import { GraphService } from "../../dev/emulators/graph/graphService";
import {
  PROJECTS_ON_PAGE,
  pageDrift,
  SANDBOX_PORTFOLIO_PAGE_ID,
  SANDBOX_SITE_TIME_ZONE,
  sandboxClients,
  sandboxPeople,
  sandboxProfileFile,
  sandboxProjectColumns,
  sandboxProjects,
  sandboxSeed,
  sandboxSeedJson,
} from "../../dev/sandbox/scenario";
import { projectFields, siteMidnightUtc } from "../../dev/sandbox/scenario/sandboxGraphSeed";
import { profileSchema } from "../../shared/config/profile";
import { parseProfileFile } from "../../shared/config/profileFile";
import { ProfileValidator } from "../../shared/config/profileValidator";
import {
  buildFieldCodecs,
  type FieldCodecs,
  parseStorage,
  readSharePointItem,
  readTableRows,
  selectManagedTable,
} from "../../shared/mapping";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { repoRoot } from "../helpers/cli";

const endpoints = {
  graphBaseUrl: "https://localhost:1",
  authorityHost: "https://localhost:2",
  confluenceAuthBaseUrl: "https://localhost:3",
  confluenceApiBaseUrl: "https://localhost:3",
};

function sandboxCodecs(): FieldCodecs {
  const { secrets: _secrets, ...document } = sandboxProfileFile(endpoints);
  const profile = profileSchema.parse(document);
  const built = buildFieldCodecs(profile.fields, sandboxProjectColumns, {
    siteTimeZone: SANDBOX_SITE_TIME_ZONE,
    people: sandboxPeople.map((p) => ({ lookupId: p.lookupId, email: p.email, displayName: p.displayName })),
    lookups: { Client: sandboxClients.map((c) => ({ id: String(c.id), value: c.name })) },
    samples: sandboxProjects.map(projectFields),
  });
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join("\n"));
  return built.codecs;
}

describe("the sandbox seed", () => {
  it("is a valid Graph seed the emulator loads: two lists, 50 projects in 12 typed columns", () => {
    const seed = sandboxSeed();
    const graph = graphSeedSchema.parse(seed.graph);
    const projects = graph.sites[0]!.lists.find((l) => l.displayName === "Projects")!;
    expect(projects.items).toHaveLength(50);
    const facets = projects.columns.map((c) =>
      Object.keys(c).find((k) =>
        [
          "text",
          "number",
          "currency",
          "boolean",
          "choice",
          "dateTime",
          "personOrGroup",
          "lookup",
          "hyperlinkOrPicture",
        ].includes(k),
      ),
    );
    expect(new Set(facets).size).toBeGreaterThanOrEqual(8);
    // The emulator applies every item's fields as SharePoint would (lookups resolve, choices exist, types convert).
    expect(() => new GraphService(graph)).not.toThrow();
  });

  it("is a valid Confluence seed whose pages are well-formed storage", () => {
    const confluence = confluenceSeedSchema.parse(sandboxSeed().confluence);
    for (const page of confluence.pages) expect(storageXhtmlError(page.body), page.title).toBeUndefined();
  });

  it("is what examples/sandbox.seed.json holds (regenerate with `npm run sandbox:seed`)", async () => {
    const committed = await readFile(path.join(repoRoot, "examples", "sandbox.seed.json"), "utf8");
    expect(committed).toBe(sandboxSeedJson());
  });

  it("stores date-only values as midnight in the site's time zone", () => {
    expect(siteMidnightUtc("2026-01-30")).toBe("2026-01-29T23:00:00Z");
    expect(siteMidnightUtc("2026-06-30")).toBe("2026-06-29T22:00:00Z");
  });
});

describe("the demo profile", () => {
  it("imports as a profile file and passes the ProfileValidator with its secrets", async () => {
    const parsed = parseProfileFile(sandboxProfileFile(endpoints), { endpoints: EMULATOR_ENDPOINTS });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const secrets = new InMemorySecretsProvider({ [parsed.profile.key]: parsed.secrets as Record<string, string> });
    const result = await new ProfileValidator(secrets, undefined, EMULATOR_ENDPOINTS).validate(parsed.profile);
    expect(result).toEqual({ valid: true, profileKey: "sandbox-projects", missingSecrets: [], errors: [] });
  });

  it("maps every column; the page's table reads cleanly and differs from the list exactly where pageDrift says", () => {
    const codecs = sandboxCodecs();
    const parsed = parseStorage(sandboxSeed().confluence.pages!.find((p) => p.id === SANDBOX_PORTFOLIO_PAGE_ID)!.body, {
      pageId: SANDBOX_PORTFOLIO_PAGE_ID,
    });
    if (!parsed.ok) throw parsed.error;
    const selected = selectManagedTable(
      parsed.document,
      { keyColumn: "ID", table: { headers: ["ID", "Project", "Status"] } },
      codecs,
    );
    if (!selected.ok) throw new Error(selected.errors.map((e) => e.message).join("\n"));
    const rows = readTableRows(selected.table);
    expect(rows.map((r) => (r.key.kind === "item" ? Number(r.key.id) : r.key.kind))).toEqual(
      sandboxProjects.slice(0, PROJECTS_ON_PAGE).map((p) => p.id),
    );

    const headerOf = new Map([...codecs].map(([name, codec]) => [name, codec.header]));
    const differences: string[] = [];
    for (const row of rows) {
      const project = sandboxProjects.find((p) => row.key.kind === "item" && p.id === Number(row.key.id))!;
      const listSide = readSharePointItem(codecs, projectFields(project));
      for (const [field, reading] of Object.entries(row.fields)) {
        if (!reading.ok) throw reading.error;
        const item = listSide[field]!;
        if (!item.ok) throw item.error;
        if (item.hash !== reading.hash)
          differences.push(
            `${project.id} ${headerOf.get(field)}: ${reading.value === null ? "blank on page" : "only on page"}`,
          );
      }
    }
    const expected = [
      ...pageDrift.blankOnPage.map((d) => `${d.id} ${d.header}: blank on page`),
      ...Object.entries(pageDrift.onlyOnPage).flatMap(([id, values]) =>
        Object.keys(values).map((key) => `${id} ${key === "tags" ? "Tags" : "Repository"}: only on page`),
      ),
    ];
    expect(differences.sort()).toEqual(expected.sort());
  });
});
