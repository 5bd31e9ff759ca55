import { app, type HttpRequest, type InvocationContext } from "@azure/functions";
import {
  appEngine,
  CONSENT_CALLBACK_ROUTE,
  type ConfluenceConnectDependencies,
  confluenceConnectCallback,
  invocationLogger,
  respondSafely,
  startConfluenceConnect,
} from "../shared/functionsApp";

function withEngine(handler: (request: HttpRequest, deps: ConfluenceConnectDependencies) => Promise<unknown>) {
  return (request: HttpRequest, context: InvocationContext) => {
    const logger = invocationLogger(context);
    return respondSafely(logger, async () => handler(request, { engine: await appEngine(), logger }) as never);
  };
}

// Connecting a profile to Confluence: the start (function key) redirects to Atlassian's consent screen; the callback is
// anonymous because Atlassian's redirect carries no key, and acts only on a single-use state the start issued.
app.http("connectConfluence", {
  route: "profiles/{profileKey}/connect/confluence",
  methods: ["GET"],
  authLevel: "function",
  handler: withEngine(startConfluenceConnect),
});
app.http("connectConfluenceCallback", {
  route: CONSENT_CALLBACK_ROUTE,
  methods: ["GET"],
  authLevel: "anonymous",
  handler: withEngine(confluenceConnectCallback),
});
