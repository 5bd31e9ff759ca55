import type { SecretsProvider } from "./secretsProvider";

/**
 * Secrets held in process memory: for dry runs over a copy of real secrets, the sandbox, and tests of code that
 * consumes a SecretsProvider. Not a store: nothing survives the process.
 */
export class InMemorySecretsProvider implements SecretsProvider {
  readonly #values = new Map<string, string>();

  constructor(initial: Record<string, Record<string, string>> = {}) {
    for (const [profileKey, secrets] of Object.entries(initial)) {
      for (const [name, value] of Object.entries(secrets)) this.#values.set(key(profileKey, name), value);
    }
  }

  async get(profileKey: string, name: string): Promise<string | undefined> {
    return this.#values.get(key(profileKey, name));
  }

  async set(profileKey: string, name: string, value: string): Promise<void> {
    this.#values.set(key(profileKey, name), value);
  }

  async listNames(profileKey: string): Promise<string[]> {
    const prefix = `${profileKey}\u0000`;
    return [...this.#values.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  async delete(profileKey: string, name: string): Promise<void> {
    this.#values.delete(key(profileKey, name));
  }
}

function key(profileKey: string, name: string): string {
  return `${profileKey}\u0000${name}`;
}
