export { type ConfluenceEmulator, type ConfluenceEmulatorOptions, startConfluenceEmulator, startConfluence } from "./confluenceEmulator";
export { type ConfluenceSeed, type ConfluenceSeedInput, parseConfluenceSeed, DEFAULT_GRANTED_SCOPES } from "./confluenceSeed";
export { storageXhtmlError } from "./storageXhtml";
