import { h } from "../dom.js";
import { t } from "../i18n.js";
import { heading } from "./common.js";

export function renderAdmin(view) {
  view.append(
    heading(t("admin.title")),
    h("p", null, t("admin.text")),
    h(
      "ul",
      null,
      h("li", null, h("a", { href: "/docs" }, "Swagger UI (/docs)")),
      h("li", null, h("a", { href: "/redoc" }, "ReDoc (/redoc)")),
    ),
  );
}
