import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProfileInvalid, ProfileKeyConflict, ProfileNotFound, type ProfileStore } from "../../shared/config";
import type { createManualClock } from "../../shared/runtime";

type ManualClock = ReturnType<typeof createManualClock>;

import { validProfile } from "./profileFixtures";

export interface ProfileStoreUnderTest {
  store: ProfileStore;
  clock: ManualClock;
  /** Writes a raw document under `key`, bypassing validation, as an older version or a hand edit would. */
  writeRaw(key: string, json: string): Promise<void>;
  /** A second store over the same storage, as another process (or instance) opens it. */
  openAnother(): Promise<ProfileStore>;
  close?: () => Promise<void>;
}

/** The behaviour every ProfileStore must have. Each store under test starts empty; tests use their own keys. */
export function describeProfileStoreContract(label: string, open: () => Promise<ProfileStoreUnderTest>): void {
  describe(`ProfileStore contract: ${label}`, () => {
    let subject: ProfileStoreUnderTest;
    let store: ProfileStore;
    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => subject?.close?.());

    const key = (label = "p") => `${label}-${randomBytes(4).toString("hex")}`;

    it("saves a profile and reads it back by key, with defaults filled in and the save time", async () => {
      const k = key();
      subject.clock.set(Date.UTC(2026, 2, 1, 9, 30));
      const saved = await store.save(validProfile(k));
      expect(saved.updatedAt.toISOString()).toBe("2026-03-01T09:30:00.000Z");
      const loaded = await store.get(k);
      expect(loaded.profile).toEqual(validProfile(k));
      expect(loaded.profile.conflictPolicy).toBe("flag");
      expect(loaded.updatedAt.toISOString()).toBe("2026-03-01T09:30:00.000Z");
    });

    it("replaces a profile saved again under the same key", async () => {
      const k = key();
      subject.clock.set(Date.UTC(2026, 2, 1));
      await store.save(validProfile(k, { displayName: "first" }));
      subject.clock.set(Date.UTC(2026, 2, 2));
      await store.save(validProfile(k, { displayName: "second", conflictPolicy: "newest-wins" }));
      const loaded = await store.get(k);
      expect(loaded.profile.displayName).toBe("second");
      expect(loaded.profile.conflictPolicy).toBe("newest-wins");
      expect(loaded.updatedAt.toISOString()).toBe("2026-03-02T00:00:00.000Z");
      expect((await store.list()).filter((e) => e.key === k)).toHaveLength(1);
    });

    it("throws ProfileNotFound naming the key, also for keys no profile could have", async () => {
      for (const missing of [key("missing"), "not/a key", ""]) {
        const error = await store.get(missing).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProfileNotFound);
        expect((error as ProfileNotFound).code).toBe("PROFILE_NOT_FOUND");
        expect((error as Error).message).toContain(`"${missing}"`);
      }
    });

    it("lists every profile sorted by key", async () => {
      const prefix = key("list");
      for (const suffix of ["c", "a", "b"]) await store.save(validProfile(`${prefix}-${suffix}`));
      const keys = (await store.list()).map((e) => e.key).filter((k) => k.startsWith(prefix));
      expect(keys).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
      const all = (await store.list()).map((e) => e.key);
      expect(all).toEqual([...all].sort());
    });

    it("deletes, reporting whether there was a profile", async () => {
      const k = key();
      await store.save(validProfile(k));
      expect(await store.delete(k)).toBe(true);
      expect(await store.delete(k)).toBe(false);
      await expect(store.get(k)).rejects.toBeInstanceOf(ProfileNotFound);
      expect((await store.list()).some((e) => e.key === k)).toBe(false);
    });

    it("refuses a key that differs from a stored one only in letter case (Key Vault would merge their secrets)", async () => {
      const k = key("case");
      await store.save(validProfile(k));
      const error = await store.save(validProfile(k.toUpperCase())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProfileKeyConflict);
      expect((error as Error).message).toContain(k.toUpperCase());
      expect((error as Error).message).toContain(k);
      await expect(store.get(k.toUpperCase())).rejects.toBeInstanceOf(ProfileNotFound);
    });

    it("lets exactly one of two concurrent saves of case variants through, every time", async () => {
      const other = await subject.openAnother();
      for (let round = 0; round < 8; round += 1) {
        const k = key(`race${round}`);
        const variant = k.toUpperCase();
        const outcomes = await Promise.allSettled([store.save(validProfile(k)), other.save(validProfile(variant))]);
        expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
        const refused = outcomes.find((o) => o.status === "rejected");
        expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(ProfileKeyConflict);
        const stored = (await store.list()).filter((e) => e.key.toLowerCase() === k);
        expect(stored).toHaveLength(1);
      }
    });

    it("frees a key's letter-case variants once the profile is deleted", async () => {
      const k = key("freed");
      await store.save(validProfile(k));
      await expect(store.save(validProfile(k.toUpperCase()))).rejects.toBeInstanceOf(ProfileKeyConflict);
      expect(await store.delete(k)).toBe(true);
      await store.save(validProfile(k.toUpperCase()));
      expect((await store.get(k.toUpperCase())).profile.key).toBe(k.toUpperCase());
    });

    it("reports a stored document that no longer passes the schema, without hiding the others", async () => {
      const bad = key("stale");
      await subject.writeRaw(bad, JSON.stringify({ ...validProfile(bad), conflictPolicy: "last-writer-wins" }));
      const error = await store.get(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProfileInvalid);
      expect((error as ProfileInvalid).issues).toEqual([{ path: "conflictPolicy", message: expect.any(String) }]);
      const entry = (await store.list()).find((e) => e.key === bad);
      expect(entry).toMatchObject({ valid: false, issues: [{ path: "conflictPolicy" }] });
    });
  });
}
