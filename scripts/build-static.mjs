// Builds GOV.UK Frontend from node_modules into static/build (never committed).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "static", "build");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "govuk"), { recursive: true });
cpSync(join(govuk, "assets"), join(out, "govuk", "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));

const css = sass.compile(join(root, "static", "src", "ndx.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "ndx.css"), css.css);
const version = JSON.parse(readFileSync(join(govuk, "..", "..", "package.json"), "utf8")).version;
console.log(`built static/build with GOV.UK Frontend ${version}`);
