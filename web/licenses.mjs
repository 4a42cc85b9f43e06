// The licences of the packages bundled into rulex/serve/static/playground.js, written beside it
// (build.sh runs this): every package under node_modules but the build tool.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = "node_modules";
const names = [];
for (const entry of readdirSync(root)) {
  if (entry.startsWith(".")) continue;
  if (entry.startsWith("@")) { for (const inner of readdirSync(join(root, entry))) names.push(`${entry}/${inner}`); } else { names.push(entry); }
}
const parts = [];
for (const name of names.sort()) {
  if (name === "esbuild" || name.startsWith("@esbuild/")) continue;
  const meta = JSON.parse(readFileSync(join(root, name, "package.json"), "utf8"));
  const file = readdirSync(join(root, name)).find((f) => /^licen[cs]e/i.test(f));
  const text = file && existsSync(join(root, name, file)) ? readFileSync(join(root, name, file), "utf8").trim() : `License: ${meta.license}`;
  parts.push(`${name} ${meta.version} (${meta.license})\n\n${text}\n`);
}
writeFileSync("../rulex/serve/static/THIRD-PARTY-LICENSES.txt",
  "The page's script bundles these packages (web/package.json); their licences follow.\n\n" + parts.join("\n" + "-".repeat(72) + "\n\n"));
