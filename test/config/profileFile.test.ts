import { describe, expect, it } from "vitest";
import { parseProfileFile } from "../../shared/config";
import { exampleProfileFile, profileInput } from "./profileFixtures";

describe("parseProfileFile", () => {
  it("accepts the README's example file, secrets and all", () => {
    const parsed = parseProfileFile(exampleProfileFile());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.profile.key).toBe("contoso-projects");
    expect(Object.keys(parsed.secrets).sort()).toEqual([
      "ConfluenceClientId",
      "ConfluenceClientSecret",
      "ConfluenceRefreshToken",
      "GraphClientId",
      "GraphClientSecret",
      "GraphTenantId",
    ]);
  });

  it("accepts a file without secrets", () => {
    expect(parseProfileFile(profileInput("plain"))).toMatchObject({ ok: true, secrets: {} });
  });

  it("reports every problem in profile and secrets together, without quoting secret values", () => {
    const parsed = parseProfileFile({
      ...profileInput("contoso hr"),
      conflictPolicy: "mine",
      secrets: { ConfluenceClientSecret: "", GraphPassword: "hunter2-very-secret", GraphClientId: 42 },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual([
      "key",
      "conflictPolicy",
      "secrets.ConfluenceClientSecret",
      "secrets.GraphPassword",
      "secrets.GraphClientId",
    ]);
    expect(parsed.issues.find((i) => i.path === "secrets.GraphPassword")?.message).toContain("unknown secret name");
    expect(JSON.stringify(parsed.issues)).not.toContain("hunter2");
  });

  it("rejects a file that is not an object, and a secrets section that is not one", () => {
    expect(parseProfileFile([1, 2])).toEqual({ ok: false, issues: [{ path: "(root)", message: expect.any(String) }] });
    expect(parseProfileFile({ ...profileInput("k"), secrets: ["x"] })).toEqual({
      ok: false,
      issues: [{ path: "secrets", message: expect.any(String) }],
    });
  });

  it.each(["Due Date", "Title,Body", "Title)&$filter=x", "x' or '1'='1", "1stColumn", ""])(
    "refuses the SharePoint column name %j, which would change the OData query, naming its path",
    (name) => {
      const parsed = parseProfileFile(
        profileInput("odata", {
          fields: [
            { sharePoint: "Title", confluence: "Title" },
            { sharePoint: name, confluence: "Other" },
          ],
          matchBy: { sharePoint: name, confluence: "Other" },
        }),
      );
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.issues.map((issue) => issue.path)).toEqual(["fields[1].sharePoint", "matchBy.sharePoint"]);
      expect(parsed.issues[0]!.message).toContain("internal column name");
    },
  );

  it("accepts internal names as SharePoint makes them", () => {
    for (const name of ["Title", "Due_x0020_Date", "_ModerationStatus", "OData__x0031_st"])
      expect(parseProfileFile(profileInput("odata", { fields: [{ sharePoint: name, confluence: "X" }] })).ok).toBe(
        true,
      );
  });
});
