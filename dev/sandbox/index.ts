/**
 * `confluence-sync demo`: the sandbox (emulators, Azurite, SQLite config) started in-process, the demo profile
 * imported, the real `syncProfile` orchestrator run three times with people's edits in between, and the report.
 * Development tooling: the CLI loads it only for `demo`.
 */

export { confluenceCallKind, graphCallKind, type ServedCall, type ServiceCalls, tallyCalls } from "./apiCallTally";
export type { DemoCheck, DemoEvent, DemoOutcome, DemoPersonEdit, DemoResult, DemoRun, DemoSandbox } from "./demoResult";
export { type DemoTextReport, demoTextReport } from "./demoText";
export { type PagesDemoEvent, type PagesDemoResult, runPagesDemo } from "./pagesDemo";
export { pagesDemoText } from "./pagesDemoText";
export { runSandboxDemo, type SandboxDemoOptions } from "./sandboxDemo";
export { SandboxDemoFailed } from "./sandboxDemoFailed";
