import { defineConfig } from "vite";
import { UI_DIR } from "./scripts/paths.mjs";

// Deterministic output: content hashes only, no sourcemaps, no inlined assets
// (data: URLs would need a looser CSP), no modulepreload polyfill.
export default defineConfig({
  base: "/ui/",
  publicDir: "public",
  build: {
    outDir: UI_DIR,
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // the bundled packages' licences (cytoscape, MIT) beside the app
    license: { fileName: "THIRD-PARTY-LICENSES.md" },
    chunkSizeWarningLimit: 800,
    target: "es2020",
  },
});
