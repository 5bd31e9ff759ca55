export {
  type ConfluenceEmulator,
  type ConfluenceEmulatorOptions,
  startConfluence,
  startConfluenceEmulator,
} from "./confluenceEmulator";
export {
  type ConfluenceSeed,
  type ConfluenceSeedInput,
  DEFAULT_GRANTED_SCOPES,
  parseConfluenceSeed,
} from "./confluenceSeed";
export { storageXhtmlError } from "./storageXhtml";
