import { readFileSync } from "node:fs";
import path from "node:path";
import { type Profile, type ProfileInput, profileSchema } from "../../shared/config";

export const exampleProfilePath = path.resolve(__dirname, "../../examples/profile.example.json");

/** The example file the README points to, as a raw document (with its placeholder `secrets`). */
export function exampleProfileFile(): Record<string, unknown> {
  return JSON.parse(readFileSync(exampleProfilePath, "utf8")) as Record<string, unknown>;
}

/** A small valid profile input under `key`. */
export function profileInput(key: string, overrides: Partial<ProfileInput> = {}): ProfileInput {
  return {
    key,
    sharePoint: { siteId: "contoso.sharepoint.com,1111,2222", listId: "list-1" },
    confluence: { cloudId: "cloud-1", target: { mode: "table", pageId: "42" } },
    fields: [{ sharePoint: "Title", confluence: "Title" }],
    ...overrides,
  };
}

export function validProfile(key: string, overrides: Partial<ProfileInput> = {}): Profile {
  return profileSchema.parse(profileInput(key, overrides));
}
