// #/datasets/NAME/search?prefix=P: the agents whose id starts with P, a server page
// at a time (GET /v1/datasets/{d}/agents?prefix=), in id order.
// Query: prefix, limit, offset.
import { h, clear } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { go, link } from "../app.js";
import { heading, errorBox, loading, pager } from "./common.js";

const SIZES = [25, 50]; // the server lists at most 50 a page

export function renderSearch(view, ctx) {
  const ds = ctx.route.params.dataset;
  const q = ctx.route.query;
  const prefix = (q.prefix || "").trim();
  const limit = SIZES.includes(Number(q.limit)) ? Number(q.limit) : SIZES[0];
  const offset = Math.max(0, Number.parseInt(q.offset || "0", 10) || 0);
  view.append(
    h(
      "nav",
      { class: "crumbs", "aria-label": t("nav.breadcrumb") },
      h("a", { href: link.datasets() }, t("nav.datasets")),
      " / ",
      h("a", { href: link.networks(ds) }, ds),
      " / ",
      h("span", { "aria-current": "page" }, t("search.crumb")),
    ),
    heading(prefix ? t("search.title", { prefix }) : t("search.crumb")),
  );
  if (!prefix) {
    view.append(h("p", { class: "empty", testid: "search-empty" }, t("search.noprefix")));
    return;
  }
  const box = h("div", { class: "table-box" }, loading());
  view.append(box);
  api
    .get(`/v1/datasets/${api.seg(ds)}/agents`, { prefix, limit, offset })
    .then((pageObj) => {
      if (!ctx.alive()) return;
      if (pageObj.items.length === 0 && offset > 0 && pageObj.total > 0) {
        go(link.search(ds, { prefix, limit: pageSize(limit) }));
        return;
      }
      clear(box);
      if (pageObj.total === 0) {
        box.append(h("p", { class: "empty", testid: "search-empty" }, t("search.none", { prefix })));
        return;
      }
      box.append(
        h("p", { class: "counts", testid: "search-total" }, t("search.total", { n: num(pageObj.total), prefix })),
        h("div", { class: "scroll" }, table(ds, prefix, pageObj.items)),
        pager(pageObj, (o) => go(link.search(ds, { prefix, limit: pageSize(limit), offset: o || undefined })), "search-page"),
      );
    })
    .catch((e) => {
      if (ctx.alive()) clear(box).append(errorBox(e, "search-error"));
    });
}

const pageSize = (limit) => (limit === SIZES[0] ? undefined : limit);

function table(ds, prefix, items) {
  const th = (key, cls) => h("th", { scope: "col", class: cls }, t(key));
  return h(
    "table",
    { class: "data", testid: "search-results" },
    h("caption", { class: "visually-hidden" }, t("search.caption", { prefix })),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        th("search.col.agent"),
        th("agent.level", "num"),
        th("agent.root"),
        th("agent.downline", "num"),
        th("agent.rank"),
      ),
    ),
    h(
      "tbody",
      null,
      items.map((a) =>
        h(
          "tr",
          { testid: "search-row", "data-agent": a.agent },
          h("th", { scope: "row" }, h("a", { href: link.agent(ds, a.agent), testid: "search-agent-link" }, a.agent)),
          h("td", { class: "num" }, num(a.level)),
          h("td", null, h("a", { href: link.network(ds, a.root) }, a.root)),
          h("td", { class: "num" }, num(a.downline)),
          h("td", null, a.rank || "–"),
        ),
      ),
    ),
  );
}
