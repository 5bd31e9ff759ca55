import { isIP } from "node:net";

/** The services a profile may point elsewhere (`endpoints.*`), each with its own allowlist. */
export type EndpointKind = "graph" | "login" | "atlassian";

/** The app setting that sets each kind's allowlist: host names, separated by commas or spaces. */
export const ENDPOINT_ALLOWLIST_SETTINGS = {
  graph: "ALLOWED_GRAPH_HOSTS",
  login: "ALLOWED_LOGIN_HOSTS",
  atlassian: "ALLOWED_ATLASSIAN_HOSTS",
} as const satisfies Record<EndpointKind, string>;

export type EndpointAllowlistSetting = (typeof ENDPOINT_ALLOWLIST_SETTINGS)[EndpointKind];

/**
 * The hosts a production deployment allows when its settings name none: Microsoft Graph and the Microsoft identity
 * platform in the public and sovereign clouds (US Government, US DoD, China), and Atlassian's OAuth host and API
 * gateway (docs/configuration.md#endpoint-allowlist). Nothing local, nothing private.
 */
export const DEFAULT_ENDPOINT_HOSTS: Readonly<Record<EndpointKind, readonly string[]>> = {
  graph: ["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"],
  login: [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
  ],
  atlassian: ["auth.atlassian.com", "api.atlassian.com"],
};

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, not all digits (that is an address). */
const HOST_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Why `url` cannot be an endpoint base URL at all, whatever the allowlist says; undefined when it can. HTTPS only (a
 * credential must not cross the network in clear), no user name or password, no query or fragment (a base URL is
 * extended with paths), and a host name, never an IP address literal: loopback, link-local (the cloud metadata
 * service at 169.254.169.254) and private ranges are reached by address, and an allowlist names hosts.
 */
export function endpointUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not an absolute URL";
  }
  if (parsed.protocol !== "https:") return `must use https, not ${parsed.protocol.replace(/:$/, "")}`;
  if (parsed.username !== "" || parsed.password !== "") return "must not carry a user name or password";
  if (parsed.search !== "" || parsed.hash !== "") return "must not carry a query or fragment";
  // The URL parser has already turned every spelling of an IPv4 address (0x7f.1, 2130706433) into dotted form.
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) return `must name a host, not the IP address ${parsed.hostname}`;
  return undefined;
}

/**
 * Which hosts a profile's endpoint overrides may name, per kind, as the deployment set them (ENDPOINT_ALLOWLIST_SETTINGS;
 * DEFAULT_ENDPOINT_HOSTS when unset). Profiles are data anyone with write access to the profiles table can change, and
 * the app sends the profile's credentials to its endpoints: an allowlist set by the deployment, not by profiles, keeps
 * those credentials with the services that issued them (docs/security.md#the-endpoint-allowlist).
 *
 * Only overrides are checked: a profile without `endpoints` uses the public hosts, built into the code.
 */
export class EndpointAllowlist {
  /** The production default: the public and sovereign Microsoft and Atlassian hosts. */
  static readonly production = new EndpointAllowlist(DEFAULT_ENDPOINT_HOSTS);

  readonly #hosts: Readonly<Record<EndpointKind, ReadonlySet<string>>>;

  constructor(hosts: Readonly<Record<EndpointKind, readonly string[]>>) {
    this.#hosts = {
      graph: new Set(hosts.graph.map(normalizeHost)),
      login: new Set(hosts.login.map(normalizeHost)),
      atlassian: new Set(hosts.atlassian.map(normalizeHost)),
    };
  }

  /**
   * The allowlist the settings give: each kind's setting when it is set and not blank, else its production default.
   * The values must already have passed `hostListProblem`.
   */
  static fromSettings(settings: Partial<Record<EndpointAllowlistSetting, string | undefined>>): EndpointAllowlist {
    const kind = (k: EndpointKind): readonly string[] => {
      const value = settings[ENDPOINT_ALLOWLIST_SETTINGS[k]];
      return value === undefined || value.trim() === "" ? DEFAULT_ENDPOINT_HOSTS[k] : parseHostList(value);
    };
    return new EndpointAllowlist({ graph: kind("graph"), login: kind("login"), atlassian: kind("atlassian") });
  }

  /** The same hosts for every kind: what the emulators (one loopback host) and tests use. */
  static only(...hosts: string[]): EndpointAllowlist {
    return new EndpointAllowlist({ graph: hosts, login: hosts, atlassian: hosts });
  }

  hosts(kind: EndpointKind): string[] {
    return [...this.#hosts[kind]].sort();
  }

  /** Why `url` may not be used as a `kind` endpoint here, or undefined when it may. */
  problem(kind: EndpointKind, url: string): string | undefined {
    const invalid = endpointUrlProblem(url);
    if (invalid) return invalid;
    const host = normalizeHost(new URL(url).hostname);
    if (this.#hosts[kind].has(host)) return undefined;
    return `host ${host} is not on this deployment's ${kind} allowlist (${ENDPOINT_ALLOWLIST_SETTINGS[kind]}: ${this.hosts(kind).join(", ") || "none"})`;
  }
}

/** Why a setting's value is not a list of host names, or undefined when it is. */
export function hostListProblem(value: string): string | undefined {
  for (const entry of parseHostList(value)) {
    if (isIP(entry.replace(/^\[|\]$/g, "")) !== 0) return `"${entry}" is an IP address; the allowlist names hosts`;
    if (!HOST_NAME.test(entry)) return `"${entry}" is not a host name (no scheme, port, path or wildcard)`;
  }
  return undefined;
}

function parseHostList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map(normalizeHost);
}

/** Host names compare case-insensitively, and `name.` is `name`. */
function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}
