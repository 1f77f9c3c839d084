// Where the build goes: the static folder of the agentgraph.api package (api/ in this
// repository, see pyproject.toml's package-dir), served at /ui/ and /ui/vendor/.
import { fileURLToPath } from "node:url";

export const STATIC_DIR = fileURLToPath(new URL("../../api/static/", import.meta.url));
export const UI_DIR = STATIC_DIR + "ui";
export const VENDOR_DIR = STATIC_DIR + "vendor";
