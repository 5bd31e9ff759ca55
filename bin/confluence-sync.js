#!/usr/bin/env node

// Entry point of the `confluence-sync` command. Thin on purpose: the code lives in cli/ (compiled to dist/ by
// `npm install`, through the `prepare` script).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `confluence-sync needs Node.js 22.13 or newer (this is ${process.version}). Run it through npm ` +
      "(`npx confluence-sync …` or `npm run …`), which uses the Node 22 the project pins as a devDependency.\n",
  );
  process.exit(1);
}
// node:sqlite is stable enough for a local config store; its experimental banner is noise for CLI users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === "string" ? warning : warning?.message;
  if (typeof text === "string" && text.includes("SQLite is an experimental feature")) return;
  return emitWarning.call(process, warning, ...rest);
};
let cli;
try {
  cli = require("../dist/cli/main.js");
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write(
      "confluence-sync is not built yet: run `npm install` (or `npm run build`) in the project folder.\n",
    );
    process.exit(1);
  }
  throw error;
}
cli.main();
