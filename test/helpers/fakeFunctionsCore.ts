import Module from "node:module";

/**
 * Stands in for `@azure/functions-core`, the module only the real Functions worker injects. With it, the app's
 * `app.http` / `app.timer` / `df.app.*` calls register for real and tests can fetch the exact handler the worker
 * would invoke (including durable-functions' wrappers). Import this file before any module that registers functions.
 */
export interface RegisteredFunction {
  metadata: {
    name: string;
    bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>;
    [key: string]: unknown;
  };
  handler: (...args: unknown[]) => unknown;
}

const registrations = new Map<string, RegisteredFunction>();

const fakeCore = {
  version: "4.0.0-test",
  hostVersion: "4.0.0-test",
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
  registerFunction(metadata: RegisteredFunction["metadata"], handler: RegisteredFunction["handler"]) {
    registrations.set(metadata.name, { metadata, handler });
    return { dispose: () => registrations.delete(metadata.name) };
  },
  registerHook: () => ({ dispose: () => undefined }),
  log: () => undefined,
};

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Load };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request, parent, isMain) {
  if (request === "@azure/functions-core") return fakeCore;
  return originalLoad.call(this, request, parent, isMain);
};

export function registeredFunction(name: string): RegisteredFunction {
  const found = registrations.get(name);
  if (!found)
    throw new Error(
      `no function named "${name}" was registered (registered: ${[...registrations.keys()].join(", ") || "none"})`,
    );
  return found;
}

export function registeredFunctionNames(): string[] {
  return [...registrations.keys()].sort();
}
