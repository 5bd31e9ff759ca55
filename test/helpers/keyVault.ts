import type { TokenCredential } from "@azure/identity";
import {
  type EmulatorCertificate,
  generateEmulatorCertificate,
  trustCertificateInProcess,
} from "../../dev/emulators/common/tls";
import { type RunningKeyVaultEmulator, startKeyVaultEmulator } from "../../dev/emulators/keyVault/keyVaultEmulator";
import type { KeyVaultSeed } from "../../dev/emulators/keyVault/keyVaultSeed";
import {
  KeyVaultSecretsProvider,
  type KeyVaultSecretsProviderOptions,
} from "../../shared/secrets/keyVaultSecretsProvider";

export const TEST_VAULT_TOKEN = "kv-test-token";

/** One certificate per test process: generating one per emulator would only cost time. */
let processCertificate: Promise<EmulatorCertificate> | undefined;

/** Starts a Key Vault emulator whose certificate this process trusts and which accepts only TEST_VAULT_TOKEN. */
export async function startTestKeyVault(seed: Partial<KeyVaultSeed> = {}): Promise<RunningKeyVaultEmulator> {
  processCertificate ??= generateEmulatorCertificate().then((certificate) => {
    trustCertificateInProcess(certificate.cert);
    return certificate;
  });
  const certificate = await processCertificate;
  return startKeyVaultEmulator(
    { tenantId: "00000000-0000-0000-0000-0000000000aa", acceptedTokens: [TEST_VAULT_TOKEN], ...seed },
    { certificate },
  );
}

/** A credential handing out a fixed token, recording the scopes and tenants it was asked for. */
export function fixedTokenCredential(
  token = TEST_VAULT_TOKEN,
): TokenCredential & { requests: Array<{ scopes: string[]; tenantId?: string }> } {
  const requests: Array<{ scopes: string[]; tenantId?: string }> = [];
  return {
    requests,
    getToken: async (scopes, options) => {
      requests.push({ scopes: [scopes].flat(), ...(options?.tenantId ? { tenantId: options.tenantId } : {}) });
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** The real SecretClient underneath, pointed at the emulator; polls and retries fast so tests stay quick. */
export function emulatedKeyVaultProvider(
  emulator: RunningKeyVaultEmulator,
  options: Partial<KeyVaultSecretsProviderOptions> = {},
): KeyVaultSecretsProvider {
  return new KeyVaultSecretsProvider({
    vaultUrl: emulator.vaultUrl,
    credential: fixedTokenCredential(),
    // The emulator is on localhost, not *.vault.azure.net: the SDK's challenge-resource check must be off.
    clientOptions: { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
    pollIntervalMs: 5,
    retry: { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 },
    ...options,
  });
}
