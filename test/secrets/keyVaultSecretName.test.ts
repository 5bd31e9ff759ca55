import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROFILE_KEY_PATTERN } from "../../shared/config/profile";
import {
  fromKeyVaultSecretName,
  SECRET_NAME_PATTERN,
  SecretNames,
  SecretNameUnmappable,
  toKeyVaultSecretName,
} from "../../shared/secrets";

// Alphanumeric runs joined by single hyphens: the shape PROFILE_KEY_PATTERN describes (its lookarounds are beyond
// fc.stringMatching), checked against the pattern itself.
const profileKeys = fc
  .array(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join("-").slice(0, 63).replace(/-+$/, ""))
  .filter((key) => PROFILE_KEY_PATTERN.test(key));
const secretNames = fc.stringMatching(SECRET_NAME_PATTERN);

describe("Key Vault secret names", () => {
  it("maps a profile secret to {profileKey}--{SecretName}", () => {
    expect(toKeyVaultSecretName("contoso-hr", SecretNames.ConfluenceRefreshToken)).toBe(
      "contoso-hr--ConfluenceRefreshToken",
    );
  });

  it("round-trips every mappable pair and produces only names Key Vault accepts", () => {
    fc.assert(
      fc.property(profileKeys, secretNames, (profileKey, secretName) => {
        let name: string;
        try {
          name = toKeyVaultSecretName(profileKey, secretName);
        } catch (error) {
          // The only reason a valid pair may be refused is Key Vault's 127-character limit.
          expect(error).toBeInstanceOf(SecretNameUnmappable);
          expect(profileKey.length + 2 + secretName.length).toBeGreaterThan(127);
          return;
        }
        expect(name).toMatch(/^[0-9a-zA-Z-]{1,127}$/);
        expect(fromKeyVaultSecretName(name)).toEqual({ profileKey, secretName });
      }),
    );
  });

  it("carries every known secret name for the longest profile key", () => {
    const longest = "a".repeat(63);
    for (const name of Object.values(SecretNames))
      expect(fromKeyVaultSecretName(toKeyVaultSecretName(longest, name))).toEqual({
        profileKey: longest,
        secretName: name,
      });
  });

  it("rejects what it cannot map, naming the profile and the secret", () => {
    for (const [profileKey, secretName] of [
      ["contoso_hr", "GraphClientId"],
      ["a--b", "GraphClientId"],
      ["-lead", "GraphClientId"],
      ["contoso", "Graph-Client"],
      ["contoso", "1st"],
      ["x".repeat(63), "S".repeat(64)],
    ] as const) {
      const error = (() => {
        try {
          toKeyVaultSecretName(profileKey, secretName);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(SecretNameUnmappable);
      expect((error as SecretNameUnmappable).code).toBe("SECRET_NAME_UNMAPPABLE");
      expect((error as Error).message).toContain(profileKey);
      expect((error as Error).message).toContain(secretName);
    }
  });

  it("reads names it did not write as not ours", () => {
    for (const name of ["plain", "db-password", "--Secret", "key--", "key--Bad-Name", "a--b--C"])
      expect(fromKeyVaultSecretName(name)).toBeUndefined();
  });
});
