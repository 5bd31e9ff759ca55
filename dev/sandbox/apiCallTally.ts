/**
 * API calls as the emulators served them (their `/_admin/requests` logs), grouped into what a reader recognises:
 * "delta", "$batch", "page update"… Counting at the service, not in the client, is the honest measure: retries,
 * token refreshes and sign-in discovery all count.
 */

/** One served call, as an emulator's request log holds it. */
export interface ServedCall {
  seq: number;
  method: string;
  path: string;
  status: number;
  /** Set on the sub-requests of a `$batch`: the outer call's `seq`. */
  parentSeq?: number;
}

/** Calls to one service: the total (HTTP requests) and how many of each kind, in first-seen order. */
export interface ServiceCalls {
  total: number;
  kinds: { kind: string; calls: number }[];
  /** Operations carried inside `$batch` requests (not counted in `total`). */
  batchedOperations: number;
}

export type CallKind = (call: ServedCall) => string;

export function tallyCalls(calls: readonly ServedCall[], kindOf: CallKind): ServiceCalls {
  const kinds = new Map<string, number>();
  let total = 0;
  let batchedOperations = 0;
  for (const call of calls) {
    if (call.parentSeq !== undefined) {
      batchedOperations += 1;
      continue;
    }
    total += 1;
    const kind = kindOf(call);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return { total, kinds: [...kinds].map(([kind, count]) => ({ kind, calls: count })), batchedOperations };
}

function decodedPath(call: ServedCall): string {
  try {
    return decodeURIComponent(call.path);
  } catch {
    return call.path;
  }
}

/** Microsoft identity (sign-in) and Graph calls; `listId` is the synced list (its reads are told from lookups'). */
export function graphCallKind(listId: string): CallKind {
  const synced = listId.toLowerCase();
  return (call) => {
    const path = decodedPath(call);
    if (/\/oauth2\/v2\.0\/token$/.test(path)) return "sign-in";
    // MSAL's metadata discovery before its first token is part of signing in.
    if (/openid-configuration|\/discovery\/instance/.test(path)) return "sign-in";
    if (path.endsWith("/$batch")) return "$batch";
    if (/\/items\/delta$/.test(path)) return "delta";
    if (path.endsWith("/columns")) return "columns";
    const list = /\/lists\/([^/]+)\/items(\/[^/]+)?$/.exec(path);
    if (list) {
      if (list[1]!.toLowerCase() === "user information list") return "people";
      if (list[1]!.toLowerCase() !== synced) return "lookup list";
      if (list[2] !== undefined) return call.method === "GET" ? "item read" : `item ${call.method}`;
      return call.method === "GET" ? "list read" : `item ${call.method}`;
    }
    return `${call.method} ${path.replace(/\/v1\.0\/sites\/[^/]+/, "/sites/{site}")}`;
  };
}

export const confluenceCallKind: CallKind = (call) => {
  const path = decodedPath(call);
  if (path === "/oauth/token") return "token refresh";
  if (path === "/oauth/token/accessible-resources") return "site lookup";
  if (path.endsWith("/rest/api/search")) return "feed (search)";
  if (path.endsWith("/api/v2/pages") && call.method === "GET") return "page reads (batched)";
  if (path.endsWith("/api/v2/pages") && call.method === "POST") return "page create";
  if (/\/properties$/.test(path)) return call.method === "GET" ? "link property read" : "link property write";
  if (/\/(children|descendants)$/.test(path)) return "page tree (sweep)";
  if (/\/api\/v2\/pages\/\d+$/.test(path))
    return call.method === "GET" ? "page read" : call.method === "PUT" ? "page update" : `page ${call.method}`;
  return `${call.method} ${path.replace(/^\/ex\/confluence\/[^/]+\/wiki/, "")}`;
};
