import { createHash } from "node:crypto";
import { canonicalJson, type CanonicalValue } from "./canonicalValue";

/** `sha256:` + hex digest of the canonical JSON. The prefix leaves room to change algorithms without ambiguity. */
export type FieldHash = `sha256:${string}`;

/** The hash stored as the merge base after a successful sync, and compared with each side's current value. */
export function fieldHash(value: CanonicalValue): FieldHash {
  return `sha256:${createHash("sha256").update(canonicalJson(value), "utf8").digest("hex")}`;
}
