// Copies the console's vendored library out of node_modules (installed by `npm ci` from
// package-lock.json) into the package: dagre's browser build (graphlib is bundled in it)
// and the licences. The only change is dropping the source-map comment: the map is not
// shipped. `--check` compares instead of writing (exit 1 on a difference).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules", "@dagrejs");
const out = join(here, "..", "..", "chalicelib", "sirocco", "console", "static", "vendor");

const version = (pkg) => JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
const script = readFileSync(join(modules, "dagre", "dist", "dagre.min.js"), "utf8")
  .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");

const files = {
  "dagre.min.js": script,
  // the file the library's own licence comment points to
  "dagre.min.js.LEGAL.txt": readFileSync(join(modules, "dagre", "dist", "dagre.min.js.LEGAL.txt"), "utf8"),
  "LICENSE-dagre.txt": `@dagrejs/dagre ${version("dagre")} (MIT)\n\n` + readFileSync(join(modules, "dagre", "LICENSE"), "utf8"),
  "LICENSE-graphlib.txt": `@dagrejs/graphlib ${version("graphlib")} (MIT), bundled in dagre.min.js\n\n` +
    readFileSync(join(modules, "graphlib", "LICENSE"), "utf8"),
};

let differ = false;
for (const [name, text] of Object.entries(files)) {
  const path = join(out, name);
  if (process.argv.includes("--check")) {
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
      console.error(`differs: ${path}`);
      differ = true;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path} (${text.length} bytes)`);
  }
}
process.exit(differ ? 1 : 0);
