// #/datasets/NAME/evidence: the payments, orders and identities loaded beside the
// member table (rows filtered by agent, server-side pages), and the money the last
// scan measured: how far payouts travel up the levels, funds per network, the money
// rules firing on each network with their evidence.
// Query: tab (payments | orders | identities), agent, network, limit, offset.
import { h, clear, field, uid } from "../dom.js";
import { t, num, money, when, wallTime } from "../i18n.js";
import * as api from "../api.js";
import { canWrite, go, link } from "../app.js";
import { heading, errorBox, errorText, loading, pager, flagsTable, formatValue, detailText } from "./common.js";

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
const PAY_KINDS = ["entry_fee", "commission", "goods", "rebate", "other"];

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

// --- the money the last scan measured ----------------------------------------------------

function showMoney(box, ctx, state, stored, dataset) {
  const scan = dataset.last_scan;
  const body = h("div");
  clear(box).append(h("h2", { id: "money-h" }, t("money.title")), body);
  const say = (text, testid, cls = "empty") => body.append(h("p", { class: cls, testid }, text));
  if (!stored.payments) {
    say(t(canWrite() ? "money.nopayments" : "money.nopayments.read"), "money-none");
    return;
  }
  if (!scan) {
    say(t("money.noscan"), "money-none");
    if (canWrite()) body.append(h("p", null, h("a", { href: link.datasets() }, t("money.goscan"))));
    return;
  }
  if (scan.state !== "succeeded") {
    say(t("money.notready", { state: t("scan.state." + scan.state) }), "money-none");
    return;
  }
  body.append(loading());
  api
    .get(`/v1/scans/${api.seg(scan.id)}/report`)
    .then((report) => {
      if (!ctx.alive()) return;
      clear(body);
      const from = h(
        "p",
        { class: "hint" },
        t("money.from", { when: when(scan.finished_at || scan.created_at) }),
        " ",
        h("a", { href: `/v1/scans/${api.seg(scan.id)}/report.html`, target: "_blank", rel: "noopener" }, t("scan.report")),
      );
      body.append(from);
      // evidence loaded after the scan began is not in its report
      const loaded = KINDS.map((k) => stored[k] && Date.parse(stored[k].loaded_at)).filter(Boolean);
      if (loaded.some((x) => x > Date.parse(scan.created_at))) {
        body.append(
          h(
            "p",
            { class: "notice notice-warn", testid: "money-stale" },
            t("money.stale"),
            canWrite() ? [" ", h("a", { href: link.datasets() }, t("money.goscan"))] : null,
          ),
        );
      }
      if (!report.money) {
        say(t("money.notinreport"), "money-none");
        return;
      }
      moneyReport(body, state, report);
    })
    .catch((e) => {
      if (ctx.alive()) clear(body).append(errorBox(e, "money-error"));
    });
}

function moneyReport(body, state, report) {
  const m = report.money;
  const nets = Array.isArray(report.networks) ? report.networks : [];
  const funds = Array.isArray(m.funds) ? m.funds : [];
  const roots = [...new Set([...nets.map((n) => n.root), ...funds.map((f) => f.network)])];
  const chosen = state.network && roots.includes(state.network) ? state.network : roots.length === 1 ? roots[0] : "";

  // one network: its funds and the rules the scan found on it (money rules included)
  const select = h(
    "select",
    { testid: "money-network", name: "network" },
    h("option", { value: "" }, t("money.network.all")),
    roots.map((r) => h("option", { value: r, selected: r === chosen }, r)),
  );
  select.addEventListener("change", () => {
    refocus = "money-network";
    go(link.evidence(state.ds, { ...state.q, network: select.value || undefined }));
  });
  const pick = field(t("money.network"), select);
  pick.wrap.classList.add("money-pick");
  body.append(pick.wrap);
  if (refocus === "money-network") {
    refocus = null;
    select.focus();
  }
  if (state.network && !roots.includes(state.network)) {
    body.append(h("p", { class: "notice notice-warn" }, t("money.network.missing", { root: state.network })));
  }

  if (chosen) {
    const net = nets.find((n) => n.root === chosen);
    const mine = funds.filter((f) => f.network === chosen);
    body.append(
      h(
        "section",
        { class: "money-network", testid: "money-network-detail", "data-root": chosen, "aria-labelledby": "money-net-h" },
        h("h3", { id: "money-net-h" }, t("money.network.title", { root: chosen }), " · ", h("a", { href: link.network(state.ds, chosen) }, t("money.network.open"))),
        net ? h("p", null, t("agent.network.value", { members: num(net.members), levels: num(net.levels) })) : null,
        mine.length ? fundsTable(state, mine, t("money.funds.caption.one", { root: chosen })) : h("p", { class: "empty" }, t("money.funds.none")),
        h("h4", null, t("money.flags")),
        net && net.flags && net.flags.length ? flagsTable(net.flags) : h("p", { class: "empty" }, t("network.noflags")),
      ),
    );
  } else if (funds.length) {
    body.append(h("h3", null, t("money.funds")), fundsTable(state, funds, t("money.funds.caption")));
  }

  // the whole dataset: the report measures payouts up the levels only in total
  body.append(h("h3", null, t("money.all")), h("p", { class: "hint" }, t("money.all.hint")));
  body.append(h("div", { class: "two-col money-cols" }, levelsUp(m), totals(m)));
}

function fundsTable(state, rows, caption) {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data funds", testid: "money-funds" },
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("money.col.agent")),
          h("th", { scope: "col" }, t("money.col.network")),
          h("th", { scope: "col", class: "num" }, t("money.col.collected")),
          h("th", { scope: "col", class: "num" }, t("money.col.direct")),
          h("th", { scope: "col", class: "num" }, t("money.col.through")),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((f) =>
          h(
            "tr",
            { testid: "money-fund", "data-root": f.network },
            h("th", { scope: "row" }, h("a", { href: link.agent(state.ds, f.agent) }, f.agent)),
            h("td", null, h("a", { href: link.evidence(state.ds, { ...state.q, network: f.network, offset: undefined }) }, f.network)),
            h("td", { class: "num" }, money(f.collected)),
            h("td", { class: "num" }, money(f.direct)),
            h("td", { class: "num" }, money(f.through_downline)),
          ),
        ),
      ),
    ),
  );
}

function levelsUp(m) {
  const counts = Array.isArray(m.payouts_levels_up) ? m.payouts_levels_up : [];
  const max = Math.max(1, ...counts);
  const list = h("ol", { class: "tiers levels-up", testid: "money-levels-up" });
  counts.forEach((c, i) => {
    const bar = h("span", { class: "bar" });
    bar.style.width = `${Math.max(0.5, (100 * c) / max)}%`;
    list.append(
      h(
        "li",
        { "data-levels-up": String(i) },
        h("span", { class: "tier-label" }, i === 0 ? t("money.up.0") : i === 1 ? t("money.up.1") : t("money.up.n", { n: num(i) })),
        h("span", { class: "bar-track", "aria-hidden": "true" }, bar),
        h("span", { class: "tier-count" }, num(c)),
      ),
    );
  });
  return h(
    "section",
    { "aria-labelledby": "levels-up-h" },
    h("h4", { id: "levels-up-h" }, t("money.up.title")),
    h("p", { class: "hint" }, t("money.up.hint")),
    counts.length ? list : h("p", { class: "empty" }, t("money.up.none")),
    m.team_pay
      ? h("p", null, t("money.team", { n: num(m.team_pay.payments), amount: money(m.team_pay.amount), levels: num(m.team_pay.max_levels_up) }))
      : null,
  );
}

function totals(m) {
  const kinds = Object.entries(m.by_kind || {});
  const hc = m.headcount_pay;
  const fees = m.entry_fees;
  const feesAny = fees && fees.any_form ? fees.any_form : fees;
  return h(
    "section",
    { "aria-labelledby": "totals-h" },
    h("h4", { id: "totals-h" }, t("money.totals")),
    h(
      "table",
      { class: "data compact", testid: "money-totals" },
      h("caption", { class: "visually-hidden" }, t("money.totals")),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("evidence.col.kind")),
          h("th", { scope: "col", class: "num" }, t("money.col.payments")),
          h("th", { scope: "col", class: "num" }, t("evidence.col.amount")),
        ),
      ),
      h(
        "tbody",
        null,
        kinds.map(([k, v]) =>
          h(
            "tr",
            null,
            h("th", { scope: "row" }, PAY_KINDS.includes(k) ? t("paykind." + k) : k),
            h("td", { class: "num" }, num(v.payments)),
            h("td", { class: "num" }, money(v.amount)),
          ),
        ),
        h(
          "tr",
          { class: "total" },
          h("th", { scope: "row" }, t("money.all.total")),
          h("td", { class: "num" }, num(m.payments)),
          h("td", { class: "num" }, money(m.amount)),
        ),
      ),
    ),
    hc
      ? h(
          "p",
          { testid: "money-headcount" },
          hc.measured
            ? t("money.headcount", { n: num(hc.payments), amount: money(hc.amount) })
            : t("money.headcount.unmeasured"),
        )
      : null,
    feesAny ? h("p", null, t("money.entryfees", { n: num(feesAny.payments), amount: money(feesAny.amount) })) : null,
    m.unmatched_payments ? h("p", { class: "hint" }, t("money.unmatched", { n: num(m.unmatched_payments) })) : null,
  );
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
