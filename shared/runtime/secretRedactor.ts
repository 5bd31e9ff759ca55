/**
 * Scrubs secret values out of text before it reaches a log line, an error message, a run record or a snapshot.
 *
 * Adapters register every secret value they load or receive (client secrets, refresh and access tokens); anything
 * that formats text for humans passes it through `redact`. Values shorter than 6 characters are not registered:
 * replacing them would mangle ordinary words while protecting nothing worth protecting.
 */
export class SecretRedactor {
  readonly #values = new Set<string>();

  register(value: string | undefined | null): void {
    if (value && value.length >= 6) this.#values.add(value);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another one is replaced whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join("[REDACTED]");
    }
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, "$1[REDACTED]");
  }

  redactFields<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value) ?? "null")) as T;
  }
}

/** Process-wide redactor shared by the CLI and the Functions app; tests create their own. */
export const globalRedactor = new SecretRedactor();
