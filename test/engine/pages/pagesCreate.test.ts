import { afterEach, describe, expect, it } from "vitest";
import type { PageLinkStore } from "../../../shared/state/pageLinkStore";
import type { StateStores } from "../../../shared/state/stateStores";
import {
  PARENT_ID,
  type PagesHarness,
  SPACE_ID,
  sampleCustomers,
  startPagesHarness,
  TEMPLATE_ID,
} from "../../helpers/pagesHarness";

/**
 * Creating a page exactly once (docs/pages-mode.md §6): whatever step of the protocol fails or crashes, the item
 * ends with one page, linked three ways, holding its values.
 */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function expectOnePagePerItem(h: PagesHarness): Promise<void> {
  const items = await h.items();
  const pages = h.childPages();
  expect(pages).toHaveLength(items.size);
  for (const [id, fields] of items) {
    const page = h.pageOfItem(id);
    expect(page, `item ${id} has its page`).toBeDefined();
    expect(fields.ConfluencePageId, `item ${id}'s page id column`).toBe(page?.id);
    expect(h.blockValues(page!.id).Customer).toBe(fields.Title);
    expect(page?.properties.filter((property) => property.key === "confluencesync.link")).toHaveLength(1);
  }
}

describe("creating a page exactly once", () => {
  it("gives a created page its own local ids, not the template's", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    const ids = (body: string) => [...body.matchAll(/local-id="([^"]+)"/g)].map((match) => match[1]);
    const templateIds = new Set(ids(harness.pageBody(TEMPLATE_ID)));
    expect(templateIds.size).toBeGreaterThan(0); // the emulator's normaliser gave the template its ids
    await harness.sync();
    for (const page of harness.childPages()) {
      const pageIds = ids(harness.pageBody(page.id));
      expect(pageIds.length).toBeGreaterThan(0);
      expect(pageIds.filter((id) => templateIds.has(id!))).toEqual([]);
    }
  });

  it("finds a page whose create was stored and still answered 500, instead of making another", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.confluenceFault({ method: "POST", path: "/api/v2/pages$", status: 500, afterHandling: true });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report.items)).toBe("completed");
    await harness.sync();
    await expectOnePagePerItem(harness);
  });

  it("finds a page whose create got no answer at all", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.confluenceFault({
      method: "POST",
      path: "/api/v2/pages$",
      afterHandling: true,
      dropConnection: true,
    });
    await harness.sync();
    await harness.sync();
    await expectOnePagePerItem(harness);
  });

  it("finishes the link when the property write was stored and still failed (the activity retried)", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.confluenceFault({ method: "POST", path: "/properties$", status: 500, afterHandling: true });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report.items)).toBe("completed");
    await expectOnePagePerItem(harness);
  });

  it("adopts on the next run a page whose activity failed for good after the create", async () => {
    let failures = 3;
    harness = await startPagesHarness({
      items: sampleCustomers(1),
      wrapState: (state: StateStores) => ({ ...state, pageLinks: failingPuts(state.pageLinks, () => failures-- > 0) }),
    });
    const first = await harness.sync();
    expect(first.outcome).toBe("completedWithErrors");
    expect(harness.childPages()).toHaveLength(1);
    const second = await harness.sync();
    expect(second.outcome, JSON.stringify(second.items)).toBe("completed");
    await harness.sync();
    await expectOnePagePerItem(harness);
  });

  it("uses the collision title once when a page the app cannot see holds the title", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(1),
      pages: [
        {
          id: "4231790690",
          spaceId: SPACE_ID,
          parentId: PARENT_ID,
          title: "Customer 1",
          body: "<p>hidden</p>",
          restricted: true,
        },
      ],
    });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report.items)).toBe("completed");
    expect(harness.pageOfItem("1")?.versions[0]?.title).toBe("Customer 1 (1)");
  });

  it("writes the page id on a later run when the backlink could not be written", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    // Every attempt of the backlink activity gets no clear answer (three attempts in all).
    await harness.graphFault({ method: "PATCH", path: "/items/1/fields$", status: 500, times: 3 });
    const first = await harness.sync();
    expect(first.outcome).toBe("completed");
    expect((await harness.item("1"))?.ConfluencePageId).toBeUndefined();
    await harness.sync();
    await expectOnePagePerItem(harness);
  });

  it("never creates a page for an item whose title template gives nothing, and says so", async () => {
    harness = await startPagesHarness({ items: [{ id: "1", fields: { Title: "", SyncTracker: true } }] });
    const report = await harness.sync();
    expect(report.items).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ code: "PAGE_TITLE_INVALID" })] }),
    ]);
    expect(harness.childPages()).toHaveLength(0);
  });

  it("creates at most maxCreatesPerRun pages a run; the rest follow on the next runs", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(5), target: { maxCreatesPerRun: 2 } });
    await harness.sync();
    expect(harness.childPages()).toHaveLength(2);
    await harness.sync();
    await harness.sync();
    await harness.sync();
    await expectOnePagePerItem(harness);
  });
});

/** A link store whose writes fail while `fail()` says so (a crash after the page and its property were made). */
function failingPuts(store: PageLinkStore, fail: () => boolean): PageLinkStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "putPages" || typeof value !== "function")
        return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (fail()) throw new Error("the host died");
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
