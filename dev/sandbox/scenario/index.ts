/**
 * The sandbox: a realistic SharePoint list and Confluence page for the emulators (`sandboxSeed`, also committed as
 * examples/sandbox.seed.json), the demo profile that joins them, and the edits people make between syncs. Loaded
 * lazily by `confluence-sync demo`, like the emulators themselves.
 */
export { sandboxSeed, sandboxSeedJson, type SandboxSeed } from "./sandboxSeed";
export { sandboxProfileFile, SANDBOX_PROFILE_KEY, type SandboxEndpoints } from "./sandboxProfile";
export { makePeopleEdits, peopleEdits, type PersonEdit, type SandboxAdminUrls } from "./sandboxPeopleEdits";
export { portfolioCell, portfolioRowIds } from "./portfolioPageEdits";
export { sandboxOutcome, type SandboxOutcome, type SandboxCheck } from "./sandboxOutcome";
export { PORTFOLIO_HEADERS, type PortfolioHeader } from "./sandboxPage";
export { sandboxProjects, sandboxClients, sandboxPeople, PROJECTS_ON_PAGE, pageDrift, SANDBOX_SITE_TIME_ZONE } from "./sandboxPortfolio";
export { sandboxProjectColumns, SANDBOX_SITE_ID, SANDBOX_PROJECTS_LIST_ID, SANDBOX_CLIENTS_LIST_ID } from "./sandboxGraphSeed";
export { SANDBOX_PORTFOLIO_PAGE_ID, SANDBOX_PORTFOLIO_PAGE_TITLE } from "./sandboxConfluenceSeed";
