import { HttpRequest } from "@azure/functions";
import { confluenceConnectCallback, startConfluenceConnect } from "../../shared/functionsApp";
import { createMemoryLogger } from "../../shared/runtime";
import { FunctionHttpServer } from "./functionHttpServer";
import {
  HARNESS_PROFILE,
  type SyncHarness,
  type SyncHarnessOptions,
  sampleItems,
  startSyncHarness,
} from "./syncHarness";

/**
 * The Function App's consent routes served on loopback HTTPS as the host would serve them
 * (`GET /api/profiles/{key}/connect/confluence`, `GET /api/connect/confluence/callback`), over a sync harness whose
 * Confluence emulator has the callback registered: what a browser, or `consentByHttp`, walks through.
 */
export interface ConsentApp {
  readonly h: SyncHarness;
  readonly server: FunctionHttpServer;
  readonly startUrl: string;
  readonly callbackUrl: string;
  close(): Promise<void>;
}

export async function startConsentApp(options: SyncHarnessOptions = {}): Promise<ConsentApp> {
  let harness: SyncHarness | undefined;
  const deps = () => ({ engine: harness!.services, logger: createMemoryLogger() });
  const startPath = `/api/profiles/${HARNESS_PROFILE}/connect/confluence`;
  const server = await FunctionHttpServer.start({
    [startPath]: (request) => startConfluenceConnect(withParams(request, { profileKey: HARNESS_PROFILE }), deps()),
    "/api/connect/confluence/callback": (request) => confluenceConnectCallback(request, deps()),
  });
  const callbackUrl = server.url("/api/connect/confluence/callback");
  harness = await startSyncHarness({
    items: sampleItems(2),
    ...options,
    confluenceOAuth: { callbackUrls: [callbackUrl], ...options.confluenceOAuth },
  });
  return {
    h: harness,
    server,
    startUrl: server.url(`${startPath}?code=function-key-abc123`),
    callbackUrl,
    close: async () => {
      await server.close();
      await harness?.close();
    },
  };
}

/** The request with the route parameters the host would have parsed. */
function withParams(request: HttpRequest, params: Record<string, string>): HttpRequest {
  return new HttpRequest({
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(request.headers.entries()),
    params,
  });
}
