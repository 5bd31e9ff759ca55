import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import {
  appEngine,
  appServices,
  checkProfileHandler,
  type DiagnosticsDependencies,
  diagnosticsSources,
  getProfile,
  getProfileConflicts,
  invocationLogger,
  listProfiles,
  respondSafely,
} from "../shared/functionsApp";

// Read-only diagnostics, with a function key: profiles, runs, conflicts, subscriptions, token refreshes.
function withSources(handler: (request: HttpRequest, deps: DiagnosticsDependencies) => Promise<HttpResponseInit>) {
  return (request: HttpRequest, context: InvocationContext) => {
    const logger = invocationLogger(context);
    return respondSafely(logger, async () =>
      handler(request, { sources: diagnosticsSources(await appServices()), logger }),
    );
  };
}

app.http("listProfiles", {
  route: "profiles",
  methods: ["GET"],
  authLevel: "function",
  handler: withSources(listProfiles),
});
app.http("getProfile", {
  route: "profiles/{profileKey}",
  methods: ["GET"],
  authLevel: "function",
  handler: withSources(getProfile),
});
app.http("getProfileConflicts", {
  route: "profiles/{profileKey}/conflicts",
  methods: ["GET"],
  authLevel: "function",
  handler: withSources(getProfileConflicts),
});
// The profile checked against SharePoint and Confluence, read-only (what `confluence-sync check` prints).
app.http("checkProfile", {
  route: "profiles/{profileKey}/check",
  methods: ["GET"],
  authLevel: "function",
  handler: (request: HttpRequest, context: InvocationContext) => {
    const logger = invocationLogger(context);
    return respondSafely(logger, async () =>
      checkProfileHandler(request, {
        engine: appEngine,
        webhookUrl: (await appServices()).settings.WEBHOOK_NOTIFICATION_URL,
        logger,
      }),
    );
  },
});
