import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { createManualClock, createMemoryLogger, SecretRedactor } from "../../shared/runtime";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import {
  GraphError,
  type ItemWriteOutcome,
  SharePointClient,
  type SharePointClientOptions,
} from "../../shared/sharepoint";
import { startTestGraph, type TestGraph } from "../helpers/graphEmulator";
import {
  buildGraphSeed,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_LIST_ID,
  TEST_SITE_ID,
  TEST_TENANT_ID,
} from "../helpers/graphSeed";

const list = `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`;
/** Short backoff so retries do not slow the suite; Retry-After values still come from the emulator. */
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };

interface LoggedCall {
  seq: number;
  method: string;
  path: string;
  query: string;
  status: number;
  parentSeq?: number;
}

describe("SharePointClient against the Graph emulator (real Graph SDK + @azure/identity)", () => {
  let graph: TestGraph;

  beforeAll(async () => {
    graph = await startTestGraph(buildGraphSeed({ itemCount: 5_200 }));
  });
  afterAll(() => graph.close());
  beforeEach(async () => {
    await graph.admin("DELETE", "faults");
    await graph.admin("DELETE", "requests");
  });

  const profile = () => ({
    key: "projects",
    sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, auth: { mode: "clientSecret" as const } },
    endpoints: { graphBaseUrl: graph.graphBaseUrl, authorityHost: graph.authorityHost },
  });
  const secrets = (clientSecret = TEST_CLIENT_SECRET) =>
    new InMemorySecretsProvider({
      projects: { GraphTenantId: TEST_TENANT_ID, GraphClientId: TEST_CLIENT_ID, GraphClientSecret: clientSecret },
    });
  const client = (options: SharePointClientOptions = {}) =>
    SharePointClient.forProfile(profile(), secrets(), { retry: fastRetry, endpoints: EMULATOR_ENDPOINTS, ...options });
  const requests = async (): Promise<LoggedCall[]> => (await graph.admin("GET", "requests")).body;

  it("pages through 5,200 items following nextLinks, one page in memory at a time", async () => {
    const sp = await client();
    const sizes: number[] = [];
    const ids = new Set<string>();
    for await (const page of sp.readItems({ select: ["Title", "Code"], pageSize: 1_000 })) {
      sizes.push(page.length);
      for (const item of page) ids.add(item.id);
    }
    expect(sizes).toEqual([1000, 1000, 1000, 1000, 1000, 200]);
    expect(ids.size).toBe(5_200);

    const calls = (await requests()).filter((c) => c.path.endsWith("/items"));
    expect(calls).toHaveLength(6);
    // Real SharePoint skiptokens: base64("Paged=TRUE&p_ID=1000").
    expect(decodeURIComponent(calls[1]!.query)).toContain(
      `$skiptoken=${Buffer.from("Paged=TRUE&p_ID=1000").toString("base64").replace(/=+$/, "")}`,
    );
  });

  it("decorates its traffic with the ISV user agent SharePoint prioritises", async () => {
    const sp = await client({ userAgent: { company: "Contoso Tools", version: "9.9.9" } });
    await sp.columns();
    const state = (await graph.admin("GET", "state")).body;
    expect(state.userAgents).toContain("ISV|Contoso Tools|ConfluenceSync/9.9.9");
  });

  it("reads a full enumeration by delta, then only what changed: creates, updates and deletes", async () => {
    const sp = await client();
    const first = await sp.openDelta(undefined, { select: ["Title", "Status"], pageSize: 2_000 });
    expect(first.mode).toEqual({ kind: "full", reason: "initial" });
    expect(() => first.deltaLink()).toThrow(/only after the last page/);
    let seen = 0;
    for await (const page of first.pages()) {
      seen += page.changed.length;
      expect(page.deleted).toEqual([]);
    }
    expect(seen).toBe(5_200);
    const link = first.deltaLink();
    expect(link).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/sites\/.+\/items\/delta\?token=/);

    // A person edits item 7, deletes item 8 and adds one; the app updates item 9.
    await graph.admin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/7`, {
      fields: { Title: "Renamed by Megan" },
    });
    await graph.admin("DELETE", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/8`);
    const created = await graph.admin("POST", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items`, {
      fields: { Title: "New by Megan", Status: "Open" },
    });
    const [outcome] = await sp.applyWrites([{ kind: "update", itemId: "9", fields: { Status: "Done" } }]);
    expect(outcome?.kind).toBe("applied");

    const second = await sp.openDelta(link);
    expect(second.mode).toEqual({ kind: "incremental" });
    const changed = new Map<string, Record<string, unknown>>();
    const deleted: string[] = [];
    for await (const page of second.pages()) {
      for (const item of page.changed) changed.set(item.id, item.fields);
      deleted.push(...page.deleted);
    }
    expect([...changed.keys()].sort()).toEqual(["7", "9", created.body.id].sort());
    expect(deleted).toEqual(["8"]);
    // The select of the first call travels in the token: later rounds return the same fields.
    expect(changed.get("7")).toMatchObject({ Title: "Renamed by Megan", Status: expect.any(String) });
    expect(changed.get("7")).not.toHaveProperty("Code");

    // Nothing changed since: an empty round (replaying the old link would still work).
    const third = await sp.openDelta(second.deltaLink());
    const pages = [];
    for await (const page of third.pages()) pages.push(page);
    expect(pages).toEqual([{ changed: [], deleted: [], unresolved: [] }]);
  });

  it("falls back to a full enumeration when the delta token is gone (410) and says so", async () => {
    const sp = await client();
    const latest = await graph.call("GET", `${list}/items/delta?token=latest&$expand=fields($select=Title)`);
    const link: string = latest.body["@odata.deltaLink"];
    await graph.admin("POST", "clock", { advanceSeconds: 8 * 24 * 3600 }); // beyond the 7-day default TTL

    const round = await sp.openDelta(link);
    expect(round.mode).toEqual({ kind: "full", reason: "resync", resyncCode: "resyncChangesApplyDifferences" });
    let count = 0;
    for await (const page of round.pages()) count += page.changed.length;
    expect(count).toBeGreaterThan(5_000);
    expect(round.deltaLink()).toContain("/items/delta?token=");

    const calls = await requests();
    expect(calls.filter((c) => c.status === 410)).toHaveLength(1);
    // The restart followed the Location, which kept the original select.
    const fields = (await (await sp.openDelta(round.deltaLink())).pages().next()).value;
    expect(fields).toEqual({ changed: [], deleted: [], unresolved: [] });
  });

  it("creates, updates and deletes through $batch, ≤ 20 per call, with per-item outcomes and new eTags", async () => {
    const sp = await client();
    const writes = Array.from({ length: 23 }, (_, i) => ({
      kind: "create" as const,
      fields: { Title: `Batch ${i}`, Tags: ["red", "blue"], "Tags@odata.type": "Collection(Edm.String)" },
    }));
    const outcomes = await sp.applyWrites(writes);
    expect(outcomes.map((o) => o.kind)).toEqual(Array(23).fill("applied"));
    const batches = (await requests()).filter((c) => c.path === "/v1.0/$batch");
    expect(batches).toHaveLength(2);

    const applied = outcomes as Array<Extract<ItemWriteOutcome, { kind: "applied" }>>;
    expect(applied[0]!.fields).toMatchObject({ Title: "Batch 0", Tags: ["red", "blue"] });
    expect(applied[0]!.eTag).toMatch(/^"[0-9a-f-]{36},1"$/);

    const [update, remove] = await sp.applyWrites([
      { kind: "update", itemId: applied[0]!.itemId, fields: { Title: "Batch 0 v2" }, eTag: applied[0]!.eTag! },
      { kind: "delete", itemId: applied[1]!.itemId, eTag: applied[1]!.eTag! },
    ]);
    expect(update).toMatchObject({
      kind: "applied",
      eTag: expect.stringMatching(/,2"$/),
      fields: expect.objectContaining({ Title: "Batch 0 v2" }),
    });
    expect(remove).toMatchObject({ kind: "applied", eTag: undefined });
  });

  it("reports a stale eTag as preconditionFailed (412) and writes nothing", async () => {
    const sp = await client();
    const before = (await graph.call("GET", `${list}/items/20?$expand=fields`)).body;
    await graph.admin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/20`, {
      fields: { Title: "Edited meanwhile" },
    });

    const [outcome] = await sp.applyWrites([
      { kind: "update", itemId: "20", fields: { Title: "Sync's value" }, eTag: before.eTag },
    ]);
    expect(outcome).toMatchObject({ kind: "preconditionFailed", itemId: "20" });
    const [gone] = await sp.applyWrites([{ kind: "delete", itemId: "20", eTag: before.eTag }]);
    expect(gone?.kind).toBe("preconditionFailed");
    const after = (await graph.call("GET", `${list}/items/20?$expand=fields`)).body;
    expect(after.fields.Title).toBe("Edited meanwhile");

    const [missing] = await sp.applyWrites([{ kind: "update", itemId: "999999", fields: { Title: "x" } }]);
    expect(missing?.kind).toBe("notFound");
  });

  it("retries only the sub-requests that were throttled, after their Retry-After", async () => {
    const retries: Array<{ attempt: number; delayMs: number; status?: number }> = [];
    const sp = await client({ retry: { ...fastRetry, onRetry: (event) => retries.push(event) } });
    // Two items are throttled inside the batch, once each; their siblings go through the first time.
    await graph.admin("POST", "faults", {
      method: "PATCH",
      path: "/items/(31|33)/fields$",
      status: 429,
      retryAfter: 1,
      times: 2,
    });
    const writes = [30, 31, 32, 33, 34].map((id) => ({
      kind: "update" as const,
      itemId: String(id),
      fields: { Status: "Done" },
    }));

    const outcomes = await sp.applyWrites(writes);
    expect(outcomes.map((o) => o.kind)).toEqual(["applied", "applied", "applied", "applied", "applied"]);
    expect(retries).toEqual([{ attempt: 1, delayMs: 1000, status: 429 }]);

    const calls = await requests();
    const batches = calls.filter((c) => c.path === "/v1.0/$batch");
    expect(batches.map((b) => b.status)).toEqual([200, 200]);
    const subPaths = (parent: number) =>
      calls
        .filter((c) => c.parentSeq === parent)
        .map((c) => `${c.path.split("/items/")[1]} ${c.status}`)
        .sort();
    expect(subPaths(batches[0]!.seq)).toEqual([
      "30/fields 200",
      "31/fields 429",
      "32/fields 200",
      "33/fields 429",
      "34/fields 200",
    ]);
    expect(subPaths(batches[1]!.seq)).toEqual(["31/fields 200", "33/fields 200"]);
  });

  it("gives up on sub-requests still throttled when the retry budget is spent, as transient failures", async () => {
    const sp = await client({ retry: { ...fastRetry, maxRetries: 1 } });
    await graph.admin("POST", "faults", {
      method: "PATCH",
      path: "/items/41/fields$",
      status: 503,
      retryAfter: 0,
      times: -1,
    });
    const outcomes = await sp.applyWrites([
      { kind: "update", itemId: "40", fields: { Status: "Open" } },
      { kind: "update", itemId: "41", fields: { Status: "Open" } },
    ]);
    expect(outcomes[0]?.kind).toBe("applied");
    expect(outcomes[1]).toMatchObject({
      kind: "failed",
      error: { code: "GRAPH_UNAVAILABLE", status: 503, transient: true },
    });
    expect((await requests()).filter((c) => c.path === "/v1.0/$batch")).toHaveLength(2);
  });

  it("retries a whole $batch the service refused with 503, but not one that failed with 500 (a create may have happened)", async () => {
    const sp = await client();
    await graph.admin("POST", "faults", {
      method: "POST",
      path: "^/v1\\.0/\\$batch$",
      status: 503,
      retryAfter: 0,
      times: 1,
    });
    const retried = await sp.applyWrites([{ kind: "update", itemId: "60", fields: { Status: "Open" } }]);
    expect(retried.map((o) => o.kind)).toEqual(["applied"]);

    await graph.admin("POST", "faults", { method: "POST", path: "^/v1\\.0/\\$batch$", status: 500, times: 1 });
    const failed = await sp.applyWrites([{ kind: "create", fields: { Title: "maybe" } }]);
    expect(failed[0]).toMatchObject({
      kind: "failed",
      error: { code: "GRAPH_UNAVAILABLE", status: 500, transient: true },
    });
    expect((await requests()).filter((c) => c.path === "/v1.0/$batch").map((c) => c.status)).toEqual([503, 200, 500]);
  });

  it("refuses bad field writes per item, with Graph's message, and applies the rest", async () => {
    const sp = await client();
    const outcomes = await sp.applyWrites([
      { kind: "update", itemId: "50", fields: { Nope: "x" } },
      { kind: "update", itemId: "51", fields: { Tags: ["red"] } },
      { kind: "update", itemId: "52", fields: { Modified: "2020-01-01T00:00:00Z" } },
      { kind: "update", itemId: "53", fields: { Title: "fine" } },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(["failed", "failed", "failed", "applied"]);
    const errors = outcomes.slice(0, 3).map((o) => (o as { error: GraphError }).error);
    expect(errors.map((e) => [e.code, e.status, e.graphCode, e.transient])).toEqual(
      Array(3).fill(["GRAPH_BAD_REQUEST", 400, "invalidRequest", false]),
    );
    expect(errors[0]!.message).toContain("Field 'Nope' is not recognized");
    expect(errors[1]!.message).toContain("A value without a type name was found");
  });

  it("reads columns once per TTL, shared by concurrent callers", async () => {
    const clock = createManualClock();
    const sp = await client({ clock, columnTtlMs: 60_000 });
    const [a, b] = await Promise.all([sp.columns(), sp.columns()]);
    expect(a).toBe(b);
    await sp.columns();
    clock.advance(60_001);
    const fresh = await sp.columns();
    expect((await requests()).filter((c) => c.path.endsWith("/columns"))).toHaveLength(2);

    // Real columnDefinitions: the hyperlink column has no facet, multi-choice is a checkBoxes choice, system ones are read-only.
    const byName = new Map(fresh.map((c) => [c.name, c]));
    expect(byName.get("Link")).not.toHaveProperty("hyperlinkOrPicture");
    expect(byName.get("Tags")?.choice?.displayAs).toBe("checkBoxes");
    expect(byName.get("Modified")?.readOnly).toBe(true);
  });

  it("retries reads through throttling and honours Retry-After", async () => {
    const retries: number[] = [];
    const sp = await client({ retry: { ...fastRetry, onRetry: (e) => retries.push(e.delayMs) } });
    await graph.admin("POST", "faults", { method: "GET", path: "/columns$", status: 429, retryAfter: 0, times: 2 });
    expect((await sp.columns()).map((c) => c.name)).toContain("Title");
    expect(retries).toEqual([0, 0]);
  });

  it("surfaces refused credentials as GRAPH_AUTHENTICATION_FAILED without the secret anywhere", async () => {
    const redactor = new SecretRedactor();
    const logger = createMemoryLogger();
    const wrongSecret = "not-the-secret~0123456789";
    const sp = await SharePointClient.forProfile(profile(), secrets(wrongSecret), {
      endpoints: EMULATOR_ENDPOINTS,
      redactor,
      logger,
      retry: fastRetry,
    });
    const error = await sp.columns().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: "GRAPH_AUTHENTICATION_FAILED", transient: false });
    expect((error as GraphError).message).toContain("AADSTS7000215");
    const everything = JSON.stringify([String(error), (error as Error).stack, logger.records]);
    expect(everything).not.toContain(wrongSecret);
    expect(everything).not.toContain(TEST_CLIENT_SECRET);
  });

  it("names the missing secrets of a profile", async () => {
    const error = await SharePointClient.forProfile(
      profile(),
      new InMemorySecretsProvider({ projects: { GraphTenantId: TEST_TENANT_ID } }),
      { endpoints: EMULATOR_ENDPOINTS },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "GRAPH_CREDENTIALS_MISSING" });
    expect((error as Error).message).toContain("GraphClientId, GraphClientSecret");
  });
});
