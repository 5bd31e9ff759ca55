import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_LIST_SUBSCRIPTION_MINUTES } from "../../shared/sharepoint";
import type { SubscriptionRecord } from "../../shared/state/subscriptionStore";
import {
  DEFAULT_RENEW_BEFORE_MS,
  type ProfileForSubscriptions,
  planSubscriptions,
  type SubscriptionAction,
} from "../../shared/webhooks";

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const URL = "https://func.example/api/webhooks/sharepoint";
const OLD_URL = "https://old-func.example/api/webhooks/sharepoint";

function record(
  subscriptionId: string,
  profileKey: string,
  hoursLeft: number,
  notificationUrl = URL,
): SubscriptionRecord {
  return {
    subscriptionId,
    profileKey,
    clientState: "s",
    expirationDateTime: new Date(NOW + hoursLeft * HOUR).toISOString(),
    resource: "r",
    notificationUrl,
  };
}
const enabled = (key: string): ProfileForSubscriptions => ({ key, enabled: true, valid: true });

describe("planSubscriptions", () => {
  it("creates for a profile without one, keeps one with time left, renews one under 48 hours", () => {
    const actions = planSubscriptions(
      [enabled("a"), enabled("b"), enabled("c")],
      [record("b1", "b", 49), record("c1", "c", 47)],
      NOW,
      { notificationUrl: URL },
    );
    expect(actions).toEqual([
      { kind: "create", profileKey: "a", reason: "missing" },
      {
        kind: "keep",
        profileKey: "b",
        subscriptionId: "b1",
        expirationDateTime: record("b1", "b", 49).expirationDateTime,
      },
      {
        kind: "renew",
        profileKey: "c",
        subscriptionId: "c1",
        expirationDateTime: record("c1", "c", 47).expirationDateTime,
      },
    ]);
  });

  it("forgets expired and deleted profiles' records, deletes disabled profiles' and leftovers, then creates", () => {
    const actions = planSubscriptions(
      [enabled("a"), { key: "off", enabled: false, valid: true }, enabled("moved"), enabled("twice")],
      [
        record("a1", "a", -1),
        record("gone1", "gone", 100),
        record("off1", "off", 100),
        record("m1", "moved", 100, OLD_URL),
        record("t1", "twice", 200),
        record("t2", "twice", 300),
      ],
      NOW,
      { notificationUrl: URL },
    );
    expect(
      actions.map((a) => [
        a.kind,
        a.profileKey,
        "subscriptionId" in a ? a.subscriptionId : "",
        "reason" in a ? a.reason : "",
      ]),
    ).toEqual([
      ["forget", "a", "a1", "expired"],
      ["create", "a", "", "expired"],
      ["forget", "gone", "gone1", "profileDeleted"],
      ["delete", "moved", "m1", "notificationUrlChanged"],
      ["create", "moved", "", "notificationUrlChanged"],
      ["delete", "off", "off1", "profileDisabled"],
      ["delete", "twice", "t1", "duplicate"],
      ["keep", "twice", "t2", ""],
    ]);
  });

  it("skips a profile that cannot reach Graph, leaving its subscriptions alone", () => {
    expect(
      planSubscriptions([{ key: "broken", enabled: true, valid: false }], [record("b1", "broken", 1)], NOW, {
        notificationUrl: URL,
      }),
    ).toEqual([{ kind: "skip", profileKey: "broken", reason: "profileInvalid" }]);
    expect(
      planSubscriptions([{ key: "broken", enabled: false, valid: false }], [], NOW, { notificationUrl: URL }),
    ).toEqual([]);
  });

  it("treats an unreadable expiry as expired", () => {
    const actions = planSubscriptions(
      [enabled("a")],
      [{ ...record("a1", "a", 100), expirationDateTime: "soon" }],
      NOW,
      { notificationUrl: URL },
    );
    expect(actions.map((a) => a.kind)).toEqual(["forget", "create"]);
  });

  it("property: after the plan, each enabled valid profile has exactly one live subscription with 48 h to spare, and nothing else is left", () => {
    const profileArb = fc.record({
      key: fc.constantFrom("a", "b", "c", "d"),
      enabled: fc.boolean(),
      valid: fc.boolean(),
    });
    const recordArb = fc.record({
      profileKey: fc.constantFrom("a", "b", "c", "d", "e"),
      hoursLeft: fc.integer({ min: -100, max: 705 }),
      oldUrl: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(profileArb, { selector: (p) => p.key }),
        fc.array(recordArb, { maxLength: 8 }),
        (profiles, specs) => {
          const records = specs.map((spec, i) =>
            record(`s${i}`, spec.profileKey, spec.hoursLeft, spec.oldUrl ? OLD_URL : URL),
          );
          const after = simulate(records, planSubscriptions(profiles, records, NOW, { notificationUrl: URL }));
          for (const key of ["a", "b", "c", "d", "e"]) {
            const profile = profiles.find((p) => p.key === key);
            const mine = after.filter((r) => r.profileKey === key);
            if (profile && !profile.valid) {
              expect(mine).toEqual(records.filter((r) => r.profileKey === key));
            } else if (profile?.enabled) {
              expect(mine).toHaveLength(1);
              expect(mine[0]!.notificationUrl).toBe(URL);
              expect(Date.parse(mine[0]!.expirationDateTime) - NOW).toBeGreaterThanOrEqual(DEFAULT_RENEW_BEFORE_MS);
            } else {
              expect(mine).toEqual([]);
            }
          }
        },
      ),
    );
  });
});

/** Applies actions the way SubscriptionKeeper would, with Graph always agreeing. */
function simulate(records: SubscriptionRecord[], actions: SubscriptionAction[]): SubscriptionRecord[] {
  const byId = new Map(records.map((r) => [r.subscriptionId, r]));
  const fresh = new Date(NOW + MAX_LIST_SUBSCRIPTION_MINUTES * 60_000).toISOString();
  let created = 0;
  for (const action of actions) {
    if (action.kind === "delete" || action.kind === "forget") byId.delete(action.subscriptionId);
    if (action.kind === "renew")
      byId.set(action.subscriptionId, { ...byId.get(action.subscriptionId)!, expirationDateTime: fresh });
    if (action.kind === "create") {
      const id = `new${created++}`;
      byId.set(id, record(id, action.profileKey, 0, URL));
      byId.set(id, { ...byId.get(id)!, expirationDateTime: fresh });
    }
  }
  return [...byId.values()];
}
