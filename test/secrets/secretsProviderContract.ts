import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsProvider } from "../../shared/secrets";

export interface SecretsProviderUnderTest {
  provider: SecretsProvider;
  close?: () => Promise<void>;
}

/**
 * The behaviour every SecretsProvider must have, run against each implementation. Each test works in its own
 * profile keys, so one provider instance serves the whole suite.
 */
export function describeSecretsProviderContract(label: string, open: () => Promise<SecretsProviderUnderTest>): void {
  describe(`SecretsProvider contract: ${label}`, () => {
    let subject: SecretsProviderUnderTest;
    let secrets: SecretsProvider;
    beforeAll(async () => {
      subject = await open();
      secrets = subject.provider;
    });
    afterAll(async () => subject?.close?.());

    const profile = (label = "p") => `${label}-${randomBytes(4).toString("hex")}`;

    it("returns undefined for a secret that was never set, and no names for an unknown profile", async () => {
      const key = profile();
      expect(await secrets.get(key, "ConfluenceClientSecret")).toBeUndefined();
      expect(await secrets.listNames(key)).toEqual([]);
    });

    it("reads back what was set, byte for byte", async () => {
      const key = profile();
      const awkward = `ümlaut € "quoted" ; = & % \n second line \t ✓ ${"x".repeat(4000)}`;
      await secrets.set(key, "ConfluenceClientSecret", awkward);
      expect(await secrets.get(key, "ConfluenceClientSecret")).toBe(awkward);
    });

    it("overwrites, and after many rotations returns the newest value under one name", async () => {
      const key = profile();
      for (let i = 1; i <= 8; i++) await secrets.set(key, "ConfluenceRefreshToken", `refresh-token-${i}`);
      expect(await secrets.get(key, "ConfluenceRefreshToken")).toBe("refresh-token-8");
      expect(await secrets.listNames(key)).toEqual(["ConfluenceRefreshToken"]);
    });

    it("lists names, sorted, never values", async () => {
      const key = profile();
      await secrets.set(key, "GraphClientSecret", "value-graph-secret");
      await secrets.set(key, "ConfluenceClientId", "value-confluence-id");
      await secrets.set(key, "GraphClientId", "value-graph-id");
      const names = await secrets.listNames(key);
      expect(names).toEqual(["ConfluenceClientId", "GraphClientId", "GraphClientSecret"]);
      expect(JSON.stringify(names)).not.toContain("value-");
    });

    it("keeps profiles apart", async () => {
      const a = profile("a");
      const b = profile("b");
      await secrets.set(a, "ConfluenceClientSecret", "secret-of-a");
      await secrets.set(b, "ConfluenceClientSecret", "secret-of-b");
      await secrets.set(b, "GraphTenantId", "tenant-of-b");
      expect(await secrets.get(a, "ConfluenceClientSecret")).toBe("secret-of-a");
      expect(await secrets.get(b, "ConfluenceClientSecret")).toBe("secret-of-b");
      expect(await secrets.listNames(a)).toEqual(["ConfluenceClientSecret"]);
      expect(await secrets.get(a, "GraphTenantId")).toBeUndefined();
      await secrets.delete(a, "ConfluenceClientSecret");
      expect(await secrets.get(b, "ConfluenceClientSecret")).toBe("secret-of-b");
    });

    it("does not mistake a profile key that is a prefix of another for it", async () => {
      const short = profile("pre");
      const long = `${short}x`;
      await secrets.set(long, "GraphClientId", "long-profile-id");
      expect(await secrets.listNames(short)).toEqual([]);
      expect(await secrets.get(short, "GraphClientId")).toBeUndefined();
    });

    it("deletes; deleting a missing secret is not an error", async () => {
      const key = profile();
      await secrets.set(key, "GraphClientSecret", "to-be-deleted");
      await secrets.set(key, "GraphClientId", "stays");
      await secrets.delete(key, "GraphClientSecret");
      expect(await secrets.get(key, "GraphClientSecret")).toBeUndefined();
      expect(await secrets.listNames(key)).toEqual(["GraphClientId"]);
      await expect(secrets.delete(key, "GraphClientSecret")).resolves.toBeUndefined();
      await expect(secrets.delete(profile(), "GraphClientSecret")).resolves.toBeUndefined();
    });

    it("sets a name again after it was deleted", async () => {
      const key = profile();
      await secrets.set(key, "ConfluenceRefreshToken", "before-delete");
      await secrets.delete(key, "ConfluenceRefreshToken");
      await secrets.set(key, "ConfluenceRefreshToken", "after-delete");
      expect(await secrets.get(key, "ConfluenceRefreshToken")).toBe("after-delete");
      expect(await secrets.listNames(key)).toEqual(["ConfluenceRefreshToken"]);
    });

    it("keeps concurrent writes to different names", async () => {
      const key = profile();
      const names = ["ConfluenceClientId", "ConfluenceClientSecret", "ConfluenceRefreshToken", "GraphTenantId"];
      await Promise.all(names.map((name) => secrets.set(key, name, `value-${name}`)));
      expect(await secrets.listNames(key)).toEqual(names);
      for (const name of names) expect(await secrets.get(key, name)).toBe(`value-${name}`);
    });
  });
}
