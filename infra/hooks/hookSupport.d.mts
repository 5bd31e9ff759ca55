// Types for hookSupport.mjs, so the TypeScript tests in test/infra can import the hooks' logic (tsconfig has no
// allowJs). Keep in step with the JSDoc there.

export declare const HookErrorCodes: Readonly<{
  KeyVaultSoftDeleted: "KEY_VAULT_SOFT_DELETED";
  KeyVaultNothingToRecover: "KEY_VAULT_NOTHING_TO_RECOVER";
  RolePropagationTimeout: "ROLE_PROPAGATION_TIMEOUT";
  RoleProbeFailed: "ROLE_PROBE_FAILED";
  SettingInvalid: "HOOK_SETTING_INVALID";
  SignInFailed: "AZURE_SIGN_IN_FAILED";
}>;

export declare class HookError extends Error {
  constructor(code: string, message: string);
  readonly code: string;
}

export declare function uniqueString(...values: string[]): string;
export declare function keyVaultNameFor(target: {
  subscriptionId: string;
  environmentName: string;
  location: string;
}): string;
export declare function setting(env: Record<string, string | undefined>, name: string): string | undefined;
export declare function booleanSetting(
  env: Record<string, string | undefined>,
  name: string,
  fallback: boolean,
): boolean;
export declare function secondsSetting(env: Record<string, string | undefined>, name: string, fallback: number): number;

export type GetToken = (scope: string) => Promise<string>;
export interface JsonResponse {
  status: number;
  code?: string;
  message?: string;
  body?: unknown;
}
export type Fetch = (
  url: string,
  init: { headers: Record<string, string> },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export declare function getJson(
  deps: { getToken: GetToken; fetch?: Fetch },
  url: string,
  scope: string,
  headers?: Record<string, string>,
): Promise<JsonResponse>;
export declare function operatorTokens(tenantId: string | undefined): GetToken;
export declare function runHook(hook: string, main: () => Promise<void>): void;
