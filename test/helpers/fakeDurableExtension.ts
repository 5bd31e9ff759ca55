import http from "node:http";
import type { AddressInfo } from "node:net";
import { type FunctionInput, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ConditionWaiters } from "./conditionWaiters";

/** A request the fake extension served. */
export interface ExtensionRequest {
  method: string;
  /** Path without the query string, e.g. `/durabletask/orchestrators/syncProfile/sync-alpha`. */
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface FakeInstance {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  createdTime: string;
}

/** The extension's system key as its webhook URLs carry it; tests assert it never leaks into logs or errors. */
export const FAKE_SYSTEM_KEY = "fakeSystemKey0123456789abcdef==";

/**
 * A stand-in for the Durable Functions extension's HTTP surface on 127.0.0.1, enough for durable-functions' real
 * DurableClient: the local RPC endpoint (`POST orchestrators/{name}/{id}`, `GET instances/{id}`, the `GET instances/` query) and the client
 * binding data the host would hand a function. Like the extension with `overridableExistingInstanceStates:
 * NonRunningStates`, it refuses to start an instance id that is Pending, Running or Suspended.
 */
export class FakeDurableExtension {
  readonly requests: ExtensionRequest[] = [];
  readonly instances = new Map<string, FakeInstance>();
  /** Answers the next matching requests with this status instead of serving them. */
  readonly faults: Array<{ method: string; pathPattern: RegExp; status: number; remaining: number }> = [];
  /** Runs before a start is served: lets a test make "someone else" start the same instance first. */
  beforeStart: ((instanceId: string) => void) | undefined;
  #server: http.Server | undefined;
  #origin = "";
  readonly #waiters = new ConditionWaiters();

  static async start(): Promise<FakeDurableExtension> {
    const extension = new FakeDurableExtension();
    extension.#server = http.createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => extension.#handle(request.method ?? "GET", request.url ?? "/", body, response));
    });
    await new Promise<void>((resolve) => extension.#server!.listen(0, "127.0.0.1", resolve));
    extension.#origin = `http://127.0.0.1:${(extension.#server.address() as AddressInfo).port}`;
    return extension;
  }

  /** The durable client binding's data, as the host passes it to a function (`extraInputs`). */
  clientData(): Record<string, unknown> {
    const webhooks = `${this.#origin}/runtime/webhooks/durabletask`;
    const query = `taskHub=TestHub&connection=Storage&code=${FAKE_SYSTEM_KEY}`;
    const instance = `${webhooks}/instances/INSTANCEID`;
    return {
      taskHubName: "TestHub",
      creationUrls: {
        createNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?code=${FAKE_SYSTEM_KEY}`,
        createAndWaitOnNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${FAKE_SYSTEM_KEY}`,
      },
      managementUrls: {
        id: "INSTANCEID",
        statusQueryGetUri: `${instance}?${query}`,
        sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
        rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${instance}?${query}`,
        restartPostUri: `${instance}/restart?${query}`,
        suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
        resumePostUri: `${instance}/resume?reason={text}&${query}`,
      },
      baseUrl: webhooks,
      requiredQueryStringParameters: `code=${FAKE_SYSTEM_KEY}`,
      rpcBaseUrl: `${this.#origin}/durabletask/`,
    };
  }

  /**
   * An InvocationContext carrying this extension's client binding, as the host builds it for a function registered
   * with `binding` (by default a fresh `df.input.durableClient()`), and the DurableClient durable-functions makes of it.
   */
  context(options: { binding?: FunctionInput; functionName?: string; logs?: string[] } = {}): {
    context: InvocationContext;
    client: df.DurableClient;
  } {
    const binding = options.binding ?? df.input.durableClient();
    const context = new InvocationContext({
      functionName: options.functionName ?? "test",
      invocationId: "test-invocation",
      options: { extraInputs: [binding] },
      logHandler: (_level, ...args) => options.logs?.push(args.map(String).join(" ")),
    });
    context.extraInputs.set(binding, this.clientData());
    return { context, client: df.getClient(context) };
  }

  /** Starts (POSTs) seen for an orchestrator, in order. */
  starts(orchestrator?: string): Array<{ orchestrator: string; instanceId: string; input: unknown }> {
    return this.requests.flatMap((request) => {
      const match = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(request.path);
      if (request.method !== "POST" || !match || (orchestrator && match[1] !== orchestrator)) return [];
      return [
        {
          orchestrator: decodeURIComponent(match[1]!),
          instanceId: decodeURIComponent(match[2]!),
          input: request.body ? JSON.parse(request.body) : undefined,
        },
      ];
    });
  }

  /** Resolves once `ready()` holds, re-checked after every request served (no polling, no sleeps). */
  async until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.#waiters.until(
      ready,
      timeoutMs,
      () => `requests: ${JSON.stringify(this.requests.map((r) => `${r.method} ${r.path}`))}`,
    );
  }

  setStatus(instanceId: string, runtimeStatus: string, name = "syncProfile"): void {
    const existing = this.instances.get(instanceId);
    this.instances.set(instanceId, {
      name,
      instanceId,
      input: null,
      createdTime: new Date().toISOString(),
      ...existing,
      runtimeStatus,
    });
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #handle(method: string, url: string, body: string, response: http.ServerResponse): void {
    const parsed = new URL(url, this.#origin);
    this.requests.push({ method, path: parsed.pathname, query: parsed.searchParams, body });
    const reply = (status: number, json?: unknown): void => {
      response
        .writeHead(status, json === undefined ? {} : { "content-type": "application/json" })
        .end(json === undefined ? "" : JSON.stringify(json));
      this.#waiters.notify();
    };
    const fault = this.faults.find(
      (f) => f.method === method && f.pathPattern.test(parsed.pathname) && f.remaining > 0,
    );
    if (fault) {
      fault.remaining -= 1;
      return reply(fault.status, { Message: "injected fault" });
    }

    if (method === "GET" && parsed.pathname === "/durabletask/instances/") {
      // The instance query (getStatusBy): every instance in one of the listed runtime statuses, all on one page.
      const wanted = parsed.searchParams.get("runtimeStatus")?.split(",");
      const matching = [...this.instances.values()].filter(
        (instance) => !wanted || wanted.includes(instance.runtimeStatus),
      );
      return reply(
        200,
        matching.map((instance) => ({
          ...instance,
          lastUpdatedTime: instance.createdTime,
          output: null,
          customStatus: null,
        })),
      );
    }
    const status = /^\/durabletask\/instances\/([^/]+)$/.exec(parsed.pathname);
    if (method === "GET" && status) {
      const instance = this.instances.get(decodeURIComponent(status[1]!));
      if (!instance) return reply(404);
      return reply(200, { ...instance, lastUpdatedTime: instance.createdTime, output: null, customStatus: null });
    }
    const start = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(parsed.pathname);
    if (method === "POST" && start) {
      const [name, instanceId] = [decodeURIComponent(start[1]!), decodeURIComponent(start[2]!)];
      this.beforeStart?.(instanceId);
      const existing = this.instances.get(instanceId);
      if (existing && ["Pending", "Running", "Suspended", "ContinuedAsNew"].includes(existing.runtimeStatus)) {
        return reply(409, {
          Message: `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`,
        });
      }
      this.instances.set(instanceId, {
        name,
        instanceId,
        runtimeStatus: "Pending",
        input: body ? JSON.parse(body) : null,
        createdTime: new Date().toISOString(),
      });
      return reply(202, { id: instanceId });
    }
    reply(404, { Message: `the fake extension does not serve ${method} ${parsed.pathname}` });
  }
}
