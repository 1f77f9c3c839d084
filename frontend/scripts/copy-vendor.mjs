// Copy the API docs' assets from node_modules into the static vendor folder, with
// their licences, so /docs and /redoc work offline. Byte for byte but for PATCHES:
// ReDoc's sidebar loads its logo from cdn.redoc.ly, which an offline page must not
// request (the CSP would block it anyway); it gets the workbench's own icon instead.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { VENDOR_DIR } from "./paths.mjs";

const require = createRequire(import.meta.url);

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

function version(name) {
  return JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")).version;
}

// [package, file inside the package, name in the vendor folder]
const FILES = [
  ["swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist", "swagger-ui.css", "swagger-ui.css"],
  ["swagger-ui-dist", "LICENSE", "LICENSE.swagger-ui-dist"],
  ["swagger-ui-dist", "NOTICE", "NOTICE.swagger-ui-dist"],
  ["swagger-ui-dist", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui-bundle.js.LICENSE.txt"],
  ["redoc", "bundles/redoc.standalone.js", "redoc.standalone.js"],
  ["redoc", "LICENSE", "LICENSE.redoc"],
  ["redoc", "bundles/redoc.standalone.js.LICENSE.txt", "redoc.standalone.js.LICENSE.txt"],
];

const PATCHES = {
  "redoc.standalone.js": [["https://cdn.redoc.ly/redoc/logo-mini.svg", "/ui/favicon.svg"]],
};

rmSync(VENDOR_DIR, { recursive: true, force: true });
const lines = [];
for (const [pkg, file, target] of FILES) {
  const src = join(packageDir(pkg), file);
  const dst = join(VENDOR_DIR, target);
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  let note = "";
  for (const [from, to] of PATCHES[target] || []) {
    const text = readFileSync(dst, "utf8");
    if (!text.includes(from)) throw new Error(`${target}: ${from} not found: check PATCHES`);
    writeFileSync(dst, text.split(from).join(to));
    note += `; ${from} -> ${to}`;
  }
  const sha = createHash("sha256").update(readFileSync(dst)).digest("hex");
  lines.push(`${sha}  ${target}  (${pkg}@${version(pkg)} ${file}${note})`);
}
// What was copied, from which package version: CI diffs it with the rest.
writeFileSync(join(VENDOR_DIR, "SOURCES.txt"), lines.join("\n") + "\n");
console.log(`copied ${FILES.length} files to ${VENDOR_DIR}`);
