// Builds the screen's bundle into app/screen/static/ (committed: the hub serves it with only
// Python installed). Deterministic: the same inputs give the same bytes, and the first line of
// screen.js is the sha256 of the inputs, which tests/screen/test_bundle.py recomputes to catch a
// bundle that was not rebuilt after web/ changed ("run make web").
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const web = dirname(fileURLToPath(import.meta.url));
const root = dirname(web);
const out = join(root, "app", "screen", "static");

// The inputs, as paths relative to the repository root with forward slashes; the hash is the
// sha256 of one line per file, sorted by path: "<sha256 of the file>  <path>\n" (sha256sum's
// format). test_bundle.py computes the same.
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}
const inputs = [
  ...files(join(web, "src")),
  join(web, "build.mjs"),
  join(web, "package.json"),
  join(web, "package-lock.json"),
  join(web, "tsconfig.json"),
]
  .map((path) => relative(root, path).split(sep).join("/"))
  .sort();
const manifest = inputs
  .map((path) => `${createHash("sha256").update(readFileSync(join(root, path))).digest("hex")}  ${path}\n`)
  .join("");
const inputsHash = createHash("sha256").update(manifest).digest("hex");

mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: { screen: join(web, "src", "main.ts") },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir: out,
  write: false,
  charset: "utf8",
  // Apache ECharts is Apache-2.0, zrender BSD-3-Clause, tslib 0BSD: their notices stay in the
  // served file (eof) and in full in LICENSES.txt beside it.
  legalComments: "eof",
  banner: { js: `/* pilehub-screen inputs sha256:${inputsHash} */` },
  logLevel: "warning",
});
for (const file of result.outputFiles) {
  writeFileSync(file.path, file.contents);
}

const licences = [
  ["echarts", ["LICENSE", "NOTICE"]],
  ["zrender", ["LICENSE", "NOTICE"]],
  ["tslib", ["LICENSE.txt"]],
];
let text = "Third-party software in screen.js (PileHub's big screen), with its licence texts.\n";
for (const [pkg, names] of licences) {
  const dir = join(web, "node_modules", pkg);
  const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  text += `\n==== ${pkg} ${version} ====\n`;
  for (const name of names) {
    try {
      text += `\n---- ${name} ----\n${readFileSync(join(dir, name), "utf8")}`;
    } catch {
      // not every package ships a NOTICE
    }
  }
}
writeFileSync(join(out, "LICENSES.txt"), text);
console.log(`screen.js, screen.css, LICENSES.txt in ${relative(root, out)} (inputs ${inputsHash.slice(0, 12)})`);
