import { hash } from "node:crypto";
import { type CanonicalValue, canonicalJson } from "./canonicalValue";

/** `sha256:` + hex digest of the canonical JSON. The prefix leaves room to change algorithms without ambiguity. */
export type FieldHash = `sha256:${string}`;

/** The hash stored as the merge base after a successful sync, and compared with each side's current value. */
export function fieldHash(value: CanonicalValue): FieldHash {
  // One-shot `hash` (UTF-8 in, hex out): the same digest as a `createHash` stream, without a stream object per field.
  return `sha256:${hash("sha256", canonicalJson(value), "hex")}`;
}
