import type { SyncHarness } from "../../helpers/syncHarness";
import type { EngineFaults, HttpFault } from "./modelSteps";

/** What the emulators are told for one fault, for the harness's list and page. */
function faultSpec(
  h: SyncHarness,
  fault: HttpFault,
): { service: "graph" | "confluence"; spec: Record<string, unknown> } {
  const items = `/lists/${h.listId}/items`;
  const page = `/wiki/api/v2/pages/${h.pageId}$`;
  const common = { status: fault.status, retryAfter: fault.retryAfter, times: fault.times };
  switch (fault.target) {
    case "create":
      return { service: "graph", spec: { ...common, method: "POST", path: `${items}$` } };
    case "update":
      return { service: "graph", spec: { ...common, method: "PATCH", path: `${items}/\\d+/fields$` } };
    case "delete":
      return { service: "graph", spec: { ...common, method: "DELETE", path: `${items}/\\d+$` } };
    case "delta":
      return { service: "graph", spec: { ...common, method: "GET", path: `${items}/delta$` } };
    case "pageRead":
      return { service: "confluence", spec: { ...common, method: "GET", path: page } };
    case "pageWrite":
      return { service: "confluence", spec: { ...common, method: "PUT", path: page } };
  }
}

/** Injects the run's HTTP faults (and the delta expiry) through the emulators' admin surfaces. */
export async function injectHttpFaults(h: SyncHarness, faults: EngineFaults): Promise<void> {
  for (const fault of faults.http) {
    const { service, spec } = faultSpec(h, fault);
    if (service === "graph") await h.graphFault(spec);
    else await h.confluenceFault(spec);
  }
  if (faults.deltaExpired) await h.expireDeltaTokens();
}

/** The faults stop: whatever is left of them is cleared on both emulators. */
export async function clearHttpFaults(h: SyncHarness): Promise<void> {
  await h.clearFaults();
}
