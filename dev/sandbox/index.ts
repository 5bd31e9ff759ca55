/**
 * `confluence-sync demo`: the sandbox (emulators, Azurite, SQLite config) started in-process, the demo profile
 * imported, the real `syncProfile` orchestrator run three times with people's edits in between, and the report.
 * Development tooling: the CLI loads it only for `demo`.
 */
export { runSandboxDemo, type SandboxDemoOptions } from "./sandboxDemo";
export { SandboxDemoFailed } from "./sandboxDemoFailed";
export { demoTextReport, type DemoTextReport } from "./demoText";
export type { DemoResult, DemoRun, DemoEvent, DemoSandbox, DemoOutcome, DemoCheck, DemoPersonEdit } from "./demoResult";
export { tallyCalls, graphCallKind, confluenceCallKind, type ServedCall, type ServiceCalls } from "./apiCallTally";
