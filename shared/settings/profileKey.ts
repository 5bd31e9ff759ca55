import { z } from "zod";

/**
 * Profile keys travel into Key Vault secret names (`{profileKey}--{SecretName}`), Table Storage keys, Durable
 * instance ids and URLs. Key Vault allows only letters, digits and `-`; we also forbid `--` (our separator) and
 * leading/trailing `-` so the mapping stays reversible.
 */
export const PROFILE_KEY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-)){0,62}(?<!-)$/;

export const profileKeySchema = z
  .string()
  .regex(
    PROFILE_KEY_PATTERN,
    "profile key must be 1-63 letters, digits or single hyphens, starting and ending with a letter or digit (Key Vault secret names allow nothing else)",
  );
