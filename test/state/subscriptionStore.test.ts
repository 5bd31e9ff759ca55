import { describe, expect, it } from "vitest";
import { type SubscriptionRecord, SubscriptionStore } from "../../shared/state/subscriptionStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const record = (subscriptionId: string, profileKey: string, expirationDateTime: string): SubscriptionRecord => ({
  subscriptionId,
  profileKey,
  clientState: `state-of-${subscriptionId}`,
  expirationDateTime,
  resource: "sites/contoso.sharepoint.com,1,2/lists/3",
  notificationUrl: "https://func.example/api/graph-webhook",
});

describe("SubscriptionStore (Table Storage, Azurite)", () => {
  it("saves, looks up by subscription id, lists by profile (soonest expiry first) and deletes", async () => {
    const store = await SubscriptionStore.open(azuriteLocation(), uniqueTablePrefix("subs"));
    const a = record("7f105c7d-2dc5-4530-97cd-4e7ae6534c07", "projects", "2026-02-01T00:00:00.000Z");
    const b = record("0c1e7a3b-9d2f-4c6e-8a5b-3f4d2e1c0b9a", "projects", "2026-01-15T00:00:00.000Z");
    const c = record("odd/id#with?chars", "other", "2026-03-01T00:00:00.000Z");
    for (const r of [a, b, c]) await store.save(r);

    expect(await store.get(a.subscriptionId)).toEqual(a);
    expect(await store.get(c.subscriptionId)).toEqual(c);
    expect(await store.get("missing")).toBeUndefined();
    expect(await store.listByProfile("projects")).toEqual([b, a]);

    const renewed = { ...a, expirationDateTime: "2026-03-10T00:00:00.000Z" };
    await store.save(renewed);
    expect(await store.get(a.subscriptionId)).toEqual(renewed);

    await store.delete(a.subscriptionId);
    await store.delete(a.subscriptionId); // deleting twice is fine
    expect(await store.get(a.subscriptionId)).toBeUndefined();
    expect(await store.listByProfile("projects")).toEqual([b]);
  });
});
