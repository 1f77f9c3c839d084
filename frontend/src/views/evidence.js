// #/datasets/NAME/evidence: the payments, orders and identities loaded beside the
// member table (rows filtered by agent, server-side pages), and the money the last
// scan measured: how far payouts travel up the levels, funds per network, the money
// rules firing on each network with their evidence.
// Query: tab (payments | orders | identities), agent, network, limit, offset.
import { h, clear, field, uid } from "../dom.js";
import { t, num, money, when, wallTime } from "../i18n.js";
import * as api from "../api.js";
import { canWrite, go, link } from "../app.js";
import { heading, errorBox, errorText, loading, pager, formatValue, detailText } from "./common.js";
import { showMoney, PAY_KINDS } from "./money.js";

const KINDS = ["payments", "orders", "identities"];
const SIZES = [25, 50, 100];
// the columns in the order shown; stored columns not listed here follow them
const COLUMNS = {
  payments: [
    "payer_id",
    "payer_level",
    "payee_id",
    "payee_level",
    "levels_up",
    "amount",
    "kind",
    "at",
    "source_agent_id",
    "order_id",
    "link_type",
  ],
  orders: ["seller_id", "buyer_id", "amount", "at", "order_id"],
  identities: ["agent_id", "person", "phone", "id_number", "bank_card", "device"],
};
// added by the server to each row (not stored columns)
const DERIVED = new Set(["payer_level", "payee_level", "levels_up", "person"]);
const ID_COLUMNS = new Set(["payer_id", "payee_id", "source_agent_id", "seller_id", "buyer_id", "agent_id", "person"]);
const NUM_COLUMNS = new Set(["payer_level", "payee_level", "levels_up", "amount"]);

// set before a redraw that a tab or the filter caused: what gets the focus back
let refocus = null;
// what the last evidence upload loaded, said by the redrawn upload form
let flash = null;

export function renderEvidence(view, ctx) {
  const ds = ctx.route.params.dataset;
  const q = ctx.route.query;
  const tab = KINDS.includes(q.tab) ? q.tab : null;
  const limit = SIZES.includes(Number(q.limit)) ? Number(q.limit) : SIZES[0];
  const offset = Math.max(0, Number.parseInt(q.offset || "0", 10) || 0);
  const agent = (q.agent || "").trim();
  const network = (q.network || "").trim();
  const state = { ds, q, tab, limit, offset, agent, network };

  const summaryBox = h("div", null, loading());
  const rowsBox = h("section", { class: "card evidence-rows", "aria-labelledby": "rows-h" }, h("h2", { id: "rows-h" }, t("evidence.rows")), loading());
  const moneyBox = h("section", { class: "card money", testid: "evidence-money", "aria-labelledby": "money-h" }, h("h2", { id: "money-h" }, t("money.title")), loading());
  view.append(
    h(
      "nav",
      { class: "crumbs", "aria-label": t("nav.breadcrumb") },
      h("a", { href: link.datasets() }, t("nav.datasets")),
      " / ",
      h("a", { href: link.networks(ds) }, ds),
      " / ",
      h("span", { "aria-current": "page" }, t("nav.evidence")),
    ),
    heading(t("evidence.title", { name: ds })),
    h("p", null, t("evidence.intro")),
    summaryBox,
  );
  // from a network page the money comes first; otherwise the rows
  if (network) view.append(moneyBox, rowsBox);
  else view.append(rowsBox, moneyBox);
  if (canWrite()) view.append(uploadForm(ds, ctx));

  Promise.all([
    api.get(`/v1/datasets/${api.seg(ds)}/evidence`, { limit: 10 }),
    api.get(`/v1/datasets/${api.seg(ds)}`),
  ])
    .then(([evPage, dataset]) => {
      if (!ctx.alive()) return;
      const stored = Object.fromEntries(evPage.items.map((e) => [e.kind, e]));
      clear(summaryBox).append(summaryTable(stored));
      // the first loaded kind unless the link named one
      state.tab = tab || KINDS.find((k) => stored[k]) || KINDS[0];
      showRows(rowsBox, ctx, state, stored);
      showMoney(moneyBox, ctx, state, stored, dataset);
    })
    .catch((e) => {
      if (!ctx.alive()) return;
      clear(summaryBox).append(errorBox(e, "evidence-error"));
      rowsBox.remove();
      moneyBox.remove();
    });
}

// --- what is loaded -------------------------------------------------------------------

function summaryTable(stored) {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data compact evidence-summary", testid: "evidence-summary" },
      h("caption", null, t("evidence.summary")),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("evidence.col.kind")),
          h("th", { scope: "col", class: "num" }, t("datasets.col.rows")),
          h("th", { scope: "col" }, t("datasets.col.source")),
          h("th", { scope: "col" }, t("datasets.col.loaded")),
        ),
      ),
      h(
        "tbody",
        null,
        KINDS.map((k) => {
          const e = stored[k];
          return h(
            "tr",
            { testid: "evidence-kind", "data-kind": k },
            h("th", { scope: "row" }, t("evidence.kind." + k)),
            h("td", { class: "num" }, e ? num(e.rows) : "–"),
            h("td", { class: "source" }, e ? e.source : t("evidence.notloaded")),
            h("td", null, e ? when(e.loaded_at) : "–"),
          );
        }),
      ),
    ),
  );
}

// --- the rows, a page at a time -----------------------------------------------------

function showRows(box, ctx, state, stored) {
  const { ds, limit, offset, agent } = state;
  const kind = state.tab;
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": t("evidence.rows") });
  const panelId = uid("evidence-panel");
  const tabs = KINDS.map((k) => {
    const selected = k === kind;
    const e = stored[k];
    return h(
      "button",
      {
        type: "button",
        role: "tab",
        id: `evidence-tab-${k}`,
        testid: `evidence-tab-${k}`,
        "aria-selected": selected ? "true" : "false",
        "aria-controls": panelId,
        tabindex: selected ? "0" : "-1",
        class: ["tab", selected && "selected"],
        "data-kind": k,
      },
      t("evidence.kind." + k),
      h("span", { class: "tab-count" }, e ? num(e.rows) : t("evidence.notloaded.short")),
    );
  });
  tablist.append(...tabs);
  const choose = (k) => {
    refocus = "tab";
    go(link.evidence(ds, { ...state.q, tab: k, offset: undefined }));
  };
  tablist.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[role=tab]");
    if (b && b.dataset.kind !== kind) choose(b.dataset.kind);
  });
  tablist.addEventListener("keydown", (ev) => {
    const i = KINDS.indexOf(kind);
    let j = null;
    if (ev.key === "ArrowRight") j = (i + 1) % KINDS.length;
    else if (ev.key === "ArrowLeft") j = (i + KINDS.length - 1) % KINDS.length;
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = KINDS.length - 1;
    if (j === null) return;
    ev.preventDefault();
    choose(KINDS[j]);
  });

  const panel = h("div", { class: "tabpanel", role: "tabpanel", id: panelId, "aria-labelledby": `evidence-tab-${kind}` });
  clear(box).append(h("h2", { id: "rows-h" }, t("evidence.rows")), tablist, panel);
  if (refocus === "tab") {
    refocus = null;
    box.querySelector(`#evidence-tab-${kind}`).focus();
  }

  panel.append(filterForm(state));
  if (!stored[kind]) {
    panel.append(h("p", { class: "empty", testid: "evidence-empty" }, t("evidence.none", { kind: t("evidence.kind." + kind) })));
    return;
  }
  const tableBox = h("div", { class: "table-box" }, loading());
  panel.append(tableBox);
  api
    .get(`/v1/datasets/${api.seg(ds)}/evidence/${kind}/rows`, { agent: agent || undefined, limit, offset })
    .then((pageObj) => {
      if (!ctx.alive()) return;
      if (pageObj.items.length === 0 && offset > 0 && pageObj.total > 0) {
        go(link.evidence(ds, { ...state.q, offset: undefined }));
        return;
      }
      clear(tableBox);
      if (pageObj.total === 0) {
        tableBox.append(h("p", { class: "empty", testid: "evidence-empty" }, agent ? t("evidence.none.agent", { agent }) : t("evidence.none.rows")));
        return;
      }
      if (kind === "payments") tableBox.append(h("p", { class: "hint" }, t("evidence.caption.levels")));
      tableBox.append(
        h("div", { class: "scroll" }, rowsTable(state, kind, stored[kind].columns, pageObj)),
        pager(pageObj, (o) => go(link.evidence(ds, { ...state.q, tab: kind, offset: o || undefined })), "evidence-page"),
      );
    })
    .catch((e) => {
      if (!ctx.alive()) return;
      if (e.status === 404 && e.message === "no such route") {
        // a service without the rows listing: say so instead of an error
        panel.querySelector("[data-testid=evidence-filters]").remove();
        clear(tableBox).append(h("p", { class: "notice notice-warn", testid: "evidence-unsupported" }, t("evidence.unsupported")));
      } else clear(tableBox).append(errorBox(e, "evidence-rows-error"));
    });
}

function filterForm(state) {
  const { ds, q, limit, agent } = state;
  const kind = state.tab;
  const input = h("input", {
    type: "search",
    name: "agent",
    testid: "evidence-filter-agent",
    value: agent,
    maxlength: "1000",
    autocomplete: "off",
    spellcheck: "false",
  });
  const size = h(
    "select",
    { name: "limit", testid: "evidence-filter-limit" },
    SIZES.map((n) => h("option", { value: String(n), selected: n === limit }, num(n))),
  );
  const form = h(
    "form",
    { class: "filters", testid: "evidence-filters", role: "search", "aria-label": t("evidence.filters") },
    h(
      "div",
      { class: "grid" },
      field(t("evidence.f.agent"), input, t("evidence.f.agent.hint." + kind)).wrap,
      field(t("common.pagesize"), size).wrap,
    ),
    h(
      "div",
      { class: "submit-row" },
      h("button", { type: "submit", testid: "evidence-filter-apply" }, t("common.apply")),
      h(
        "button",
        {
          type: "button",
          testid: "evidence-filter-reset",
          on: {
            click: () => go(link.evidence(ds, { tab: kind, network: q.network || undefined })),
          },
        },
        t("common.reset"),
      ),
      agent
        ? h(
            "span",
            { class: "filter-note", testid: "evidence-filter-note" },
            t("evidence.filtered", { agent }),
            " · ",
            h("a", { href: link.agent(ds, agent) }, t("tree.open.agent")),
          )
        : null,
    ),
  );
  if (refocus === "filter") {
    refocus = null;
    queueMicrotask(() => input.focus());
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    refocus = "filter";
    go(
      link.evidence(ds, {
        ...q,
        tab: kind,
        agent: input.value.trim() || undefined,
        limit: Number(size.value) === SIZES[0] ? undefined : size.value,
        offset: undefined,
      }),
    );
  });
  return form;
}

function rowsTable(state, kind, storedColumns, pageObj) {
  const items = pageObj.items;
  const cols = COLUMNS[kind].filter(
    (c) => storedColumns.includes(c) || (DERIVED.has(c) && items.some((r) => r[c] !== undefined)),
  );
  for (const c of storedColumns) if (!cols.includes(c)) cols.push(c);
  const head = (c) => {
    const key = "evidence.col." + c;
    const label = t(key);
    return h("th", { scope: "col", class: NUM_COLUMNS.has(c) ? "num" : null }, label === key ? c : label);
  };
  return h(
    "table",
    { class: "data evidence-table", testid: "evidence-table", "data-kind": kind },
    h(
      "caption",
      null,
      state.agent ? t("evidence.caption.agent", { kind: t("evidence.kind." + kind), agent: state.agent }) : t("evidence.caption", { kind: t("evidence.kind." + kind) }),
    ),
    h("thead", null, h("tr", null, cols.map(head))),
    h(
      "tbody",
      null,
      items.map((r) =>
        h(
          "tr",
          { testid: "evidence-row", class: r.levels_up ? "money-up" : null },
          cols.map((c) => cell(state, kind, c, r[c])),
        ),
      ),
    ),
  );
}

function cell(state, kind, c, v) {
  if (v === null || v === undefined || v === "") return h("td", { class: NUM_COLUMNS.has(c) ? "num" : null }, "–");
  if (ID_COLUMNS.has(c)) {
    const here = v === state.agent;
    return h(
      "td",
      { class: "id" },
      here
        ? h("strong", null, String(v))
        : h("a", { href: link.evidence(state.ds, { ...state.q, tab: kind, agent: String(v), offset: undefined }) }, String(v)),
    );
  }
  if (c === "amount") return h("td", { class: "num" }, money(v));
  if (c === "levels_up") return h("td", { class: "num" }, h("strong", null, t("evidence.levels_up.value", { n: num(v) })));
  if (c === "payer_level" || c === "payee_level") return h("td", { class: "num" }, num(v));
  if (c === "kind") return h("td", null, PAY_KINDS.includes(v) ? t("paykind." + v) : String(v));
  if (c === "at") return h("td", { class: "time" }, wallTime(v));
  return h("td", null, formatValue(v));
}

// --- upload (analysts) -------------------------------------------------------------------

function uploadForm(ds, ctx) {
  const kind = h(
    "select",
    { testid: "evidence-upload-kind", name: "kind" },
    KINDS.map((k) => h("option", { value: k }, t("evidence.kind." + k))),
  );
  const file = h("input", { type: "file", testid: "evidence-upload-file", name: "file", required: true, multiple: true });
  const mode = h(
    "select",
    { testid: "evidence-upload-mode", name: "mode" },
    h("option", { value: "replace" }, t("evidence.upload.replace")),
    h("option", { value: "append" }, t("evidence.upload.append")),
  );
  const submit = h("button", { type: "submit", testid: "evidence-upload-submit" }, t("upload.submit"));
  const progress = h("progress", { max: "1", value: "0", hidden: true, id: uid("evidence-progress") });
  const status = h("p", { class: "upload-status", role: "status", "aria-live": "polite", testid: "evidence-upload-status" });
  if (flash) {
    status.textContent = flash;
    flash = null;
  }
  const errors = h("div", { class: "upload-errors error", testid: "evidence-upload-errors", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "upload card", testid: "evidence-upload-form", "aria-labelledby": "evidence-upload-h" },
    h("h2", { id: "evidence-upload-h" }, t("evidence.upload.title")),
    h("p", { class: "hint" }, t("evidence.upload.intro")),
    h(
      "div",
      { class: "grid" },
      field(t("evidence.upload.kind"), kind).wrap,
      field(t("evidence.upload.file"), file).wrap,
      field(t("evidence.upload.mode"), mode).wrap,
    ),
    h("div", { class: "submit-row" }, submit, h("label", { for: progress.id, class: "visually-hidden" }, t("upload.progress")), progress),
    status,
    errors,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.hidden = true;
    clear(errors);
    if (!file.files || file.files.length === 0) {
      status.textContent = t("upload.nofile");
      file.focus();
      return;
    }
    submit.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const result = await api.upload(
        `/v1/datasets/${api.seg(ds)}/evidence/${kind.value}`,
        Array.from(file.files),
        { mode: mode.value },
        (fraction) => {
          if (fraction === null || fraction >= 1) {
            progress.removeAttribute("value");
            status.textContent = t("upload.parsing");
            return;
          }
          progress.value = fraction;
          status.textContent = t("upload.sending", { pct: num(Math.round(fraction * 100)) });
        },
      );
      if (!ctx.alive()) return;
      progress.hidden = true;
      form.reset();
      // show the new rows; the redrawn form says what was loaded
      flash = t("evidence.upload.done", { rows: num(result.rows_added), kind: t("evidence.kind." + result.evidence.kind) });
      go(link.evidence(ds, { tab: result.evidence.kind }));
    } catch (e) {
      progress.hidden = true;
      status.textContent = t("upload.failed", { message: errorText(e) });
      if (e.details && e.details.length) {
        errors.append(
          h("h3", null, t("upload.errors")),
          h("ul", null, e.details.slice(0, 200).map((d) => h("li", { testid: "evidence-upload-error" }, detailText(d)))),
        );
        errors.hidden = false;
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
