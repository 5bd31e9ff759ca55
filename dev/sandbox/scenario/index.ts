/**
 * The sandbox: a realistic SharePoint list and Confluence page for the emulators (`sandboxSeed`, also committed as
 * examples/sandbox.seed.json), the demo profile that joins them, and the edits people make between syncs. Loaded
 * lazily by `confluence-sync demo`, like the emulators themselves.
 */

export { portfolioCell, portfolioRowIds } from "./portfolioPageEdits";
export { SANDBOX_PORTFOLIO_PAGE_ID, SANDBOX_PORTFOLIO_PAGE_TITLE } from "./sandboxConfluenceSeed";
export {
  SANDBOX_CLIENTS_LIST_ID,
  SANDBOX_PROJECTS_LIST_ID,
  SANDBOX_SITE_ID,
  sandboxProjectColumns,
} from "./sandboxGraphSeed";
export { type SandboxCheck, type SandboxOutcome, sandboxOutcome } from "./sandboxOutcome";
export { PORTFOLIO_HEADERS, type PortfolioHeader } from "./sandboxPage";
export {
  makePeopleEdits,
  type PersonEdit,
  peopleEdits,
  person as sandboxPerson,
  type SandboxAdminUrls,
} from "./sandboxPeopleEdits";
export {
  PROJECTS_ON_PAGE,
  pageDrift,
  SANDBOX_SITE_TIME_ZONE,
  sandboxClients,
  sandboxPeople,
  sandboxProjects,
} from "./sandboxPortfolio";
export { SANDBOX_PROFILE_KEY, type SandboxEndpoints, sandboxProfileFile } from "./sandboxProfile";
export { type SandboxSeed, sandboxSeed, sandboxSeedJson } from "./sandboxSeed";
