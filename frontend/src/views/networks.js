// #/datasets/NAME/networks: the server-paged, filtered list of networks.
import { h, clear, field } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { go, link } from "../app.js";
import { heading, errorBox, loading, pager } from "./common.js";

const STRUCTURES = ["single_tier", "multi_level", "five_tier_plus"];
const SIZES = [25, 50, 100];
// the list's filters, as GET /v1/datasets/{dataset}/networks names them
const FILTERS = ["structure", "flagged", "rule", "min_members", "min_levels"];
const seenRules = new Set(["cn.threshold", "cn.serious"]);
// the sortable columns (GET ...?sort= names them) and the order a first click asks
// for: numbers largest first, the root A to Z, growth the shortest doubling first
const SORTABLE = {
  root: "root",
  members: "-members",
  levels: "-levels",
  max_direct_recruits: "-max_direct_recruits",
  mean_branching: "-mean_branching",
  growth: "growth",
};
const DEFAULT_SORT = "flagged";
const SORTS = new Set([DEFAULT_SORT, ...Object.keys(SORTABLE).flatMap((k) => [k, "-" + k])]);
// the sort button to focus again after the list redrew in the new order
let refocus = null;

export function renderNetworks(view, ctx) {
  const ds = ctx.route.params.dataset;
  const q = ctx.route.query;
  const limit = SIZES.includes(Number(q.limit)) ? Number(q.limit) : SIZES[0];
  const offset = Math.max(0, Number.parseInt(q.offset || "0", 10) || 0);
  const filters = {};
  for (const k of FILTERS) if (q[k] !== undefined && q[k] !== "") filters[k] = q[k];
  const sort = SORTS.has(q.sort) ? q.sort : DEFAULT_SORT;
  const sortQ = sort === DEFAULT_SORT ? undefined : sort;
  const pageSize = limit === SIZES[0] ? undefined : limit;
  // a new order starts at the first page, with the filters kept
  const onSort = (next) => {
    refocus = next.replace(/^-/, "");
    go(link.networks(ds, { ...filters, sort: next === DEFAULT_SORT ? undefined : next, limit: pageSize }));
  };

  const counts = h("p", { class: "counts", testid: "dataset-counts" });
  const evidence = h("p", { class: "evidence-line" });
  const tools = h(
    "p",
    { class: "tools" },
    h("a", { href: link.evidence(ds), class: "button-link", testid: "dataset-evidence-link" }, t("networks.evidence.open")),
    " ",
    h("a", { href: link.guardrail(ds), class: "button-link" }, t("nav.guardrail")),
  );
  const tableBox = h("div", { class: "table-box" }, loading());
  view.append(
    heading(t("networks.title", { name: ds })),
    counts,
    evidence,
    tools,
    filterForm(ds, filters, limit, sortQ),
    tableBox,
  );

  api
    .get(`/v1/datasets/${api.seg(ds)}`)
    .then((d) => {
      if (!d.counts) return;
      counts.textContent = t("networks.counts", {
        agents: num(d.counts.agents),
        networks: num(d.counts.networks),
        flagged: num(d.counts.flagged),
        levels: num(d.counts.max_levels),
      });
    })
    .catch((e) => {
      if (ctx.alive()) counts.replaceWith(errorBox(e));
    });
  api
    .get(`/v1/datasets/${api.seg(ds)}/evidence`, { limit: 10 })
    .then((p) => {
      evidence.append(h("span", { class: "label" }, t("networks.evidence") + ": "));
      if (!p.items.length) evidence.append(t("networks.evidence.none"));
      else {
        evidence.append(
          p.items
            .map((e) => t("networks.evidence.row", { kind: t("evidence.kind." + e.kind), rows: num(e.rows), source: e.source }))
            .join(" · "),
        );
        // the list's rules are the live index's (members and levels): say where the money rules are
        evidence.append(h("span", { class: "hint evidence-hint" }, t("networks.evidence.rules")));
      }
    })
    .catch(() => evidence.remove());

  api
    .get(`/v1/datasets/${api.seg(ds)}/networks`, { ...filters, sort: sortQ, limit, offset })
    .then((pageObj) => {
      if (!ctx.alive()) return;
      clear(tableBox);
      for (const n of pageObj.items) for (const r of n.rules) seenRules.add(r);
      if (pageObj.total === 0) {
        tableBox.append(h("p", { class: "empty", testid: "networks-empty" }, t("networks.empty")));
      }
      tableBox.append(
        h("div", { class: "scroll" }, table(ds, pageObj.items, sort, onSort)),
        pageObj.items.some((n) => n.growth) ? h("p", { class: "hint" }, t("networks.growth.hint")) : null,
        pager(
          pageObj,
          (o) => go(link.networks(ds, { ...filters, sort: sortQ, limit: pageSize, offset: o || undefined })),
          "networks-page",
        ),
      );
      if (refocus) {
        const b = tableBox.querySelector(`[data-testid="sort-${refocus}"]`);
        refocus = null;
        if (b) b.focus();
      }
    })
    .catch((e) => {
      if (ctx.alive()) clear(tableBox).append(errorBox(e, "networks-error"));
    });
}

// the label of each sortable column
const COLUMN = {
  root: "networks.col.root",
  members: "networks.col.members",
  levels: "networks.col.levels",
  max_direct_recruits: "networks.col.maxdirect",
  mean_branching: "networks.col.branching",
  growth: "networks.col.growth",
};

/** A column header whose button sorts by it (a second click turns the order round). */
function sortHead(key, label, sort, onSort, cls) {
  const on = sort.replace(/^-/, "") === key;
  const desc = sort.startsWith("-");
  let next = on ? (desc ? key : "-" + key) : SORTABLE[key];
  let state = on ? (desc ? "descending" : "ascending") : "none";
  if (key === DEFAULT_SORT) {
    // flagged first is the default order, and the way back to it
    next = DEFAULT_SORT;
    state = on ? "descending" : "none";
  }
  const icon = state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕";
  return h(
    "th",
    { scope: "col", class: cls, "aria-sort": state },
    h(
      "button",
      { type: "button", class: "sort", testid: `sort-${key}`, "data-next": next, on: { click: () => onSort(next) } },
      label,
      h("span", { class: "sort-icon", "aria-hidden": "true" }, icon),
    ),
  );
}

function caption(sort) {
  if (sort === DEFAULT_SORT) return t("networks.caption");
  const key = sort.replace(/^-/, "");
  return t("networks.caption.sorted", {
    column: t(COLUMN[key]),
    direction: t(sort.startsWith("-") ? "networks.sort.desc" : "networks.sort.asc"),
  });
}

function growthCell(g) {
  if (!g || !g.last_joined) return h("td", { class: "num growth" }, "–");
  const days = g.doubling_days === null || g.doubling_days === undefined ? "–" : t("networks.growth.days", { n: num(g.doubling_days) });
  return h(
    "td",
    {
      class: "num growth",
      title: t("networks.growth.title", { dated: num(g.dated_members), first: g.first_joined || "–", last: g.last_joined }),
    },
    `${days} · ${g.last_joined}`,
  );
}

function table(ds, items, sort, onSort) {
  const th = (key, cls) => h("th", { scope: "col", class: cls }, t(key));
  const sh = (key, cls) => sortHead(key, t(COLUMN[key]), sort, onSort, cls);
  return h(
    "table",
    { class: "data", testid: "networks-table" },
    h("caption", null, caption(sort)),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        sh("root"),
        sortHead(DEFAULT_SORT, t("networks.col.flagged"), sort, onSort),
        th("networks.col.structure"),
        sh("members", "num"),
        sh("levels", "num"),
        th("networks.col.rules"),
        sh("max_direct_recruits", "num"),
        sh("mean_branching", "num"),
        sh("growth", "num"),
      ),
    ),
    h(
      "tbody",
      null,
      items.map((n) =>
        h(
          "tr",
          { testid: "network-row", "data-root": n.root, class: n.flagged ? "flagged" : null },
          h("th", { scope: "row" }, h("a", { href: link.network(ds, n.root) }, n.root)),
          h(
            "td",
            null,
            h("span", { class: n.flagged ? "badge badge-flag" : "badge" }, n.flagged ? t("common.yes") : t("common.no")),
          ),
          h("td", null, t("structure." + n.structure)),
          h("td", { class: "num" }, num(n.members)),
          h("td", { class: "num" }, num(n.levels)),
          h("td", null, n.rules.length ? n.rules.map((r) => h("code", { class: "rule" }, r)) : "–"),
          h("td", { class: "num" }, num(n.max_direct_recruits)),
          h("td", { class: "num" }, num(n.mean_branching)),
          growthCell(n.growth),
        ),
      ),
    ),
  );
}

function filterForm(ds, filters, limit, sort) {
  const structure = h(
    "select",
    { name: "structure", testid: "filter-structure" },
    h("option", { value: "" }, t("common.any")),
    STRUCTURES.map((s) => h("option", { value: s, selected: filters.structure === s }, t("structure." + s))),
  );
  const flagged = h(
    "select",
    { name: "flagged", testid: "filter-flagged" },
    h("option", { value: "" }, t("common.any")),
    h("option", { value: "true", selected: filters.flagged === "true" }, t("networks.f.flagged.true")),
    h("option", { value: "false", selected: filters.flagged === "false" }, t("networks.f.flagged.false")),
  );
  const rules = h("datalist", { id: "known-rules" }, [...seenRules].sort().map((r) => h("option", { value: r })));
  const rule = h("input", {
    type: "text",
    name: "rule",
    testid: "filter-rule",
    list: "known-rules",
    value: filters.rule || "",
    maxlength: "100",
    autocomplete: "off",
    spellcheck: "false",
  });
  const minMembers = h("input", {
    type: "number",
    name: "min_members",
    testid: "filter-min-members",
    min: "0",
    step: "1",
    inputmode: "numeric",
    value: filters.min_members || "",
  });
  const minLevels = h("input", {
    type: "number",
    name: "min_levels",
    testid: "filter-min-levels",
    min: "0",
    step: "1",
    inputmode: "numeric",
    value: filters.min_levels || "",
  });
  const size = h(
    "select",
    { name: "limit", testid: "filter-limit" },
    SIZES.map((n) => h("option", { value: String(n), selected: n === limit }, num(n))),
  );
  const form = h(
    "form",
    { class: "filters card", testid: "networks-filters", role: "search", "aria-label": t("networks.filters") },
    h(
      "fieldset",
      null,
      h("legend", null, t("networks.filters")),
      h(
        "div",
        { class: "grid" },
        field(t("networks.f.structure"), structure).wrap,
        field(t("networks.f.flagged"), flagged).wrap,
        field(t("networks.f.rule"), rule).wrap,
        field(t("networks.f.minmembers"), minMembers).wrap,
        field(t("networks.f.minlevels"), minLevels).wrap,
        field(t("common.pagesize"), size).wrap,
      ),
      rules,
      h(
        "div",
        { class: "submit-row" },
        h("button", { type: "submit", testid: "filter-apply" }, t("common.apply")),
        h(
          "button",
          { type: "button", testid: "filter-reset", on: { click: () => go(link.networks(ds)) } },
          t("common.reset"),
        ),
      ),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = {
      structure: structure.value,
      flagged: flagged.value,
      rule: rule.value.trim(),
      min_members: minMembers.value,
      min_levels: minLevels.value,
      limit: Number(size.value) === SIZES[0] ? undefined : size.value,
      sort,
    };
    go(link.networks(ds, q));
  });
  return form;
}
