/** How many values registered without a slot are kept; the oldest is forgotten first. */
export const DEFAULT_MAX_LOOSE_VALUES = 256;

/** Values shorter than this are not registered: replacing them would mangle ordinary words and protect nothing. */
const MIN_SECRET_LENGTH = 6;

const REDACTED = "[REDACTED]";

/**
 * Scrubs secret values out of text before it reaches a log line, an error message, a run record or a snapshot.
 *
 * Adapters register every secret value they load or receive (client secrets, refresh and access tokens); anything
 * that formats text for humans passes it through `redact`. A value is matched as it is and in the forms it takes
 * inside JSON text, once and twice escaped (a secret holding `"`, `\` or a control character is written `\"`, `\\`,
 * `\n`, `\u0001` by `JSON.stringify`), and URL-encoded (a form body or query string).
 *
 * Bounded (docs/security.md#what-the-logs-never-hold): a value registered under a **slot** (one per profile and
 * secret, e.g. `contoso/ConfluenceRefreshToken`) replaces the slot's older values, keeping the current one and the
 * one before it (a rotated-out refresh token stays usable for the reuse leeway, an access token stays in flight for a
 * moment). Values registered without a slot are kept up to a fixed number, the oldest forgotten first. Redaction is
 * one pass of one regular expression, rebuilt only when the values change.
 */
export class SecretRedactor {
  readonly #slots = new Map<string, string[]>();
  /** Insertion order is age: re-registering a value makes it the newest. */
  readonly #loose = new Set<string>();
  readonly #maxLoose: number;
  #pattern: RegExp | null | undefined;

  constructor(options: { maxLooseValues?: number } = {}) {
    this.#maxLoose = options.maxLooseValues ?? DEFAULT_MAX_LOOSE_VALUES;
  }

  /**
   * Registers a secret value. With `slot`, the value becomes the slot's current one and only it and its predecessor
   * stay registered; without, it joins the bounded set of loose values.
   */
  register(value: string | undefined | null, slot?: string): void {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    if (slot !== undefined) {
      const values = this.#slots.get(slot) ?? [];
      if (values[0] === value) return;
      this.#slots.set(slot, [value, ...values.filter((v) => v !== value)].slice(0, 2));
    } else {
      this.#loose.delete(value);
      this.#loose.add(value);
      for (const oldest of this.#loose) {
        if (this.#loose.size <= this.#maxLoose) break;
        this.#loose.delete(oldest);
      }
    }
    this.#pattern = undefined;
  }

  /** How many distinct values are registered (slots and loose), for tests and diagnostics. */
  get size(): number {
    const all = new Set(this.#loose);
    for (const values of this.#slots.values()) for (const value of values) all.add(value);
    return all.size;
  }

  redact(text: string): string {
    const pattern = this.#currentPattern();
    const out = pattern === null ? text : text.replace(pattern, REDACTED);
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, `$1${REDACTED}`);
  }

  redactFields<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value) ?? "null")) as T;
  }

  #currentPattern(): RegExp | null {
    if (this.#pattern !== undefined) return this.#pattern;
    const forms = new Set<string>();
    const add = (value: string): void => {
      for (const form of formsOf(value)) forms.add(form);
    };
    for (const value of this.#loose) add(value);
    for (const values of this.#slots.values()) values.forEach(add);
    // Longest first, so a secret that contains another one (or its own escaped form) is replaced whole.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#pattern = alternatives.length === 0 ? null : new RegExp(alternatives.join("|"), "g");
    return this.#pattern;
  }
}

/** The value, its JSON-escaped forms (inside one and two levels of JSON strings) and its URL-encoded form. */
function formsOf(value: string): string[] {
  const once = JSON.stringify(value).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [value, once, twice, encodeURIComponent(value)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The redaction slot of one secret of one profile: registering a new value there forgets the older ones. */
export function secretSlot(profileKey: string, secretName: string): string {
  return `${profileKey}/${secretName}`;
}

/** Process-wide redactor shared by the CLI and the Functions app; tests create their own. */
export const globalRedactor = new SecretRedactor();
