import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/azuriteGlobalSetup.ts"],
    // Emulator-backed tests do real HTTP on loopback; give them room without hiding hangs.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // node:sqlite (the local ConfigStore) prints an ExperimentalWarning on first use; it is noise in test output.
    execArgv: ["--disable-warning=ExperimentalWarning"],
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
