// The evidence view's money section: what the last scan measured. How far payouts
// travel up the levels (per network when the report has money.networks, and for the
// whole dataset), the funds per network, the money rules firing on each network with
// their evidence.
import { h, clear, field } from "../dom.js";
import { t, num, money, when } from "../i18n.js";
import * as api from "../api.js";
import { canWrite, go, link } from "../app.js";
import { errorBox, loading, flagsTable } from "./common.js";

export const PAY_KINDS = ["entry_fee", "commission", "goods", "rebate", "other"];
// the evidence kinds whose loading after a scan makes its figures stale
const KINDS = ["payments", "orders", "identities"];

// set before the redraw that choosing a network caused: the select gets the focus back
let refocus = null;

export function showMoney(box, ctx, state, stored, dataset) {
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
  // per listed network with payouts (schema revision 6); older reports lack it
  const flows = Array.isArray(m.networks) ? m.networks : null;
  const roots = [...new Set([...nets.map((n) => n.root), ...(flows || []).map((f) => f.root), ...funds.map((f) => f.network)])];
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
        h("h4", null, t("money.net.title")),
        flows ? networkFlow(flows.find((f) => f.root === chosen)) : oldReport(),
        h("h4", null, t("money.funds.net")),
        mine.length ? fundsTable(state, mine, t("money.funds.caption.one", { root: chosen })) : h("p", { class: "empty" }, t("money.funds.none")),
        h("h4", null, t("money.flags")),
        net && net.flags && net.flags.length ? flagsTable(net.flags) : h("p", { class: "empty" }, t("network.noflags")),
      ),
    );
  } else {
    body.append(h("h3", null, t("money.nets")), flows ? networksTable(state, flows) : oldReport());
    if (funds.length) body.append(h("h3", null, t("money.funds")), fundsTable(state, funds, t("money.funds.caption")));
  }

  // the whole dataset: every network's payouts together
  body.append(h("h3", null, t("money.all")), h("p", { class: "hint" }, t(flows ? "money.all.hint.nets" : "money.all.hint")));
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

const upLabel = (i) => (i === 0 ? t("money.up.0") : i === 1 ? t("money.up.1") : t("money.up.n", { n: num(i) }));

/** The furthest levels up a payout on the source's upline chain went (-1: none). */
function deepest(flow) {
  const counts = Array.isArray(flow.levels_up) ? flow.levels_up : [];
  for (let i = counts.length - 1; i >= 0; i--) if (counts[i] > 0) return i;
  return -1;
}

function oldReport() {
  return h("p", { class: "notice notice-warn", testid: "money-networks-old" }, t("money.net.old"), canWrite() ? [" ", h("a", { href: link.datasets() }, t("money.goscan"))] : null);
}

/** One bar (its share of the longest row) and the row's share of the payouts. */
function barCell(n, max, total, cls) {
  const bar = n ? h("span", { class: ["bar", cls] }) : null; // none for no payout
  if (bar) bar.style.width = `${Math.max(0.5, (100 * n) / max)}%`;
  return h(
    "td",
    { class: "bar-cell" },
    h(
      "div",
      { class: "bar-wrap" },
      h("span", { class: "bar-track", "aria-hidden": "true" }, bar),
      h("span", { class: "bar-share" }, t("money.share", { n: num(total ? Math.round((100 * n) / total) : 0) })),
    ),
  );
}

/** The chosen network's payouts, a row per levels up (0 = own sales), and those off the chain. */
function networkFlow(flow) {
  if (!flow) return h("p", { class: "empty", testid: "money-network-levels-none" }, t("money.net.nopayouts"));
  const counts = Array.isArray(flow.levels_up) ? flow.levels_up : [];
  const amounts = Array.isArray(flow.amount_levels_up) ? flow.amount_levels_up : [];
  const max = Math.max(1, ...counts, flow.off_chain || 0);
  const far = deepest(flow);
  const row = (label, n, amount, attrs, barCls) =>
    h(
      "tr",
      { testid: "money-level-row", ...attrs },
      h("th", { scope: "row" }, label),
      h("td", { class: "num" }, num(n)),
      h("td", { class: "num" }, money(amount)),
      barCell(n, max, flow.payouts, barCls),
    );
  return h(
    "div",
    { class: "money-flow" },
    h(
      "p",
      { testid: "money-network-summary" },
      far >= 0
        ? t("money.net.summary", { n: num(flow.payouts), amount: money(flow.amount), furthest: upLabel(far) })
        : t("money.net.summary.none", { n: num(flow.payouts), amount: money(flow.amount) }),
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "data compact money-levels", testid: "money-network-levels", "aria-describedby": "money-net-up-hint" },
        h("caption", null, t("money.net.caption", { root: flow.root })),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("money.col.paidto")),
            h("th", { scope: "col", class: "num" }, t("money.col.payments")),
            h("th", { scope: "col", class: "num" }, t("evidence.col.amount")),
            h("th", { scope: "col" }, t("money.col.share")),
          ),
        ),
        h(
          "tbody",
          null,
          counts.map((c, i) => row(upLabel(i), c, amounts[i] ?? 0, { "data-levels-up": String(i) })),
          row(t("money.net.offchain"), flow.off_chain || 0, flow.off_chain_amount || 0, { "data-levels-up": "off", class: "off-chain" }, "bar-off"),
          h(
            "tr",
            { class: "total" },
            h("th", { scope: "row" }, t("money.net.total")),
            h("td", { class: "num" }, num(flow.payouts)),
            h("td", { class: "num" }, money(flow.amount)),
            h("td", null),
          ),
        ),
      ),
    ),
    h("p", { class: "hint", id: "money-net-up-hint" }, t("money.up.hint.net")),
  );
}

/** Every network with payouts: how many, how much, and how far up the furthest went. */
function networksTable(state, flows) {
  if (!flows.length) return h("p", { class: "empty", testid: "money-networks-none" }, t("money.nets.none"));
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data compact", testid: "money-networks" },
      h("caption", null, t("money.nets.caption")),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("money.col.network")),
          h("th", { scope: "col", class: "num" }, t("money.col.payments")),
          h("th", { scope: "col", class: "num" }, t("evidence.col.amount")),
          h("th", { scope: "col" }, t("money.col.furthest")),
          h("th", { scope: "col", class: "num" }, t("money.col.offchain")),
        ),
      ),
      h(
        "tbody",
        null,
        flows.map((f) => {
          const far = deepest(f);
          return h(
            "tr",
            { testid: "money-net-row", "data-root": f.root, "data-deepest": String(far) },
            h("th", { scope: "row" }, h("a", { href: link.evidence(state.ds, { ...state.q, network: f.root, offset: undefined }) }, f.root)),
            h("td", { class: "num" }, num(f.payouts)),
            h("td", { class: "num" }, money(f.amount)),
            h("td", null, far < 0 ? "–" : far >= 2 ? h("strong", null, upLabel(far)) : upLabel(far)),
            h("td", { class: "num" }, num(f.off_chain)),
          );
        }),
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
        h("span", { class: "tier-label" }, upLabel(i)),
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

