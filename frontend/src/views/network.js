// #/datasets/NAME/networks/ROOT: tier counts, flags, deepest chain and the tree
// (views/networktree.js: cytoscape drawing + keyboard-navigable outline), loaded on demand.
import { h, clear } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { link } from "../app.js";
import { heading, errorBox, loading, flagsTable, exportGroup } from "./common.js";
import { levelColour } from "../tree.js";
import { treeSection } from "./networktree.js";

const TIERS_SHOWN = 30;
const CHAIN_SHOWN = 12;

export function renderNetwork(view, ctx) {
  const { dataset: ds, root } = ctx.route.params;
  const body = h("div", null, loading());
  view.append(
    h(
      "nav",
      { class: "crumbs", "aria-label": t("nav.breadcrumb") },
      h("a", { href: link.datasets() }, t("nav.datasets")),
      " / ",
      h("a", { href: link.networks(ds) }, ds),
      " / ",
      h("span", { "aria-current": "page" }, root),
    ),
    heading(t("network.title", { root })),
    body,
  );
  api
    .get(`/v1/datasets/${api.seg(ds)}/networks/${api.seg(root)}`)
    .then((net) => {
      if (!ctx.alive()) return;
      clear(body);
      showNetwork(body, ctx, ds, net);
    })
    .catch((e) => {
      if (!ctx.alive()) return;
      clear(body).append(errorBox(e, "network-error"));
      // "not a network root; its network's root is X": offer X
      const d = e.details && e.details.find((x) => x.field === "root_id");
      if (d && d.message.startsWith("root: ")) {
        const other = d.message.slice(6);
        body.append(h("p", null, h("a", { href: link.network(ds, other, root) }, t("network.title", { root: other }))));
      }
    });
}

function showNetwork(body, ctx, ds, net) {
  body.append(
    h(
      "p",
      { class: "summary", testid: "network-summary" },
      h("span", { class: net.flagged ? "badge badge-flag" : "badge" }, net.flagged ? net.rules.join(", ") : t("common.no")),
      " ",
      t("network.summary", {
        members: num(net.members),
        levels: num(net.levels),
        structure: t("structure." + net.structure),
        maxdirect: num(net.max_direct_recruits),
        branching: num(net.mean_branching),
      }),
    ),
    h(
      "div",
      { class: "two-col" },
      h("section", { class: "card", "aria-labelledby": "tiers-h" }, h("h2", { id: "tiers-h" }, t("network.tiers")), tierBars(net.tier_counts)),
      h(
        "section",
        { class: "card", "aria-labelledby": "flags-h" },
        h("h2", { id: "flags-h" }, t("network.flags")),
        net.flags.length ? flagsTable(net.flags) : h("p", { testid: "no-flags" }, t("network.noflags")),
        h(
          "p",
          { class: "hint" },
          t("network.flags.live"),
          " ",
          h("a", { href: link.evidence(ds, { network: net.root }), testid: "network-evidence-link" }, t("network.money")),
        ),
      ),
    ),
    exportGroup(ds, "network", net.root, t("export.network.intro", { n: num(net.members) })),
  );
  const tree = treeSection(ctx, ds, net);
  body.append(chainSection(net, tree), tree.section);
  tree.start();
}

function tierBars(counts) {
  const max = Math.max(1, ...counts);
  const list = h("ol", { class: "tiers", testid: "tier-counts" });
  const addRows = (from, to) => {
    for (let i = from; i < to; i++) {
      const bar = h("span", { class: "bar" });
      bar.style.width = `${Math.max(0.5, (100 * counts[i]) / max)}%`;
      bar.style.backgroundColor = levelColour(i + 1);
      list.append(
        h(
          "li",
          { testid: "tier", "data-level": String(i + 1) },
          h("span", { class: "tier-label" }, t("network.tier", { level: num(i + 1) })),
          h("span", { class: "bar-track", "aria-hidden": "true" }, bar),
          h("span", { class: "tier-count" }, num(counts[i])),
        ),
      );
    }
  };
  addRows(0, Math.min(counts.length, TIERS_SHOWN));
  const wrap = h("div", null, list);
  if (counts.length > TIERS_SHOWN) {
    let shown = TIERS_SHOWN;
    const more = h("button", { type: "button", class: "more" });
    const label = () => t("common.more", { n: num(Math.min(TIERS_SHOWN, counts.length - shown)), left: num(counts.length - shown) });
    more.textContent = label();
    more.addEventListener("click", () => {
      const to = Math.min(counts.length, shown + TIERS_SHOWN);
      addRows(shown, to);
      shown = to;
      if (shown >= counts.length) more.remove();
      else more.textContent = label();
    });
    wrap.append(more);
  }
  return wrap;
}

function chainSection(net, tree) {
  const chain = net.deepest_chain;
  const items = [];
  const links = (ids) => ids.map((id) => h("li", null, h("a", { href: link.agent(tree.ds, id) }, id)));
  if (chain.length <= CHAIN_SHOWN) items.push(...links(chain));
  else {
    items.push(...links(chain.slice(0, CHAIN_SHOWN - 3)));
    items.push(h("li", { class: "gap" }, `… ${num(net.deepest_chain_length - CHAIN_SHOWN)} …`));
    items.push(...links(chain.slice(-3)));
  }
  const last = chain[chain.length - 1];
  return h(
    "section",
    { class: "card chain", "aria-labelledby": "chain-h" },
    h("h2", { id: "chain-h" }, t("network.chain", { n: num(net.deepest_chain_length) })),
    h("ol", { class: "chain-list", testid: "deepest-chain" }, items),
    chain.length > 1 && chain.length === net.deepest_chain_length
      ? h(
          "button",
          { type: "button", testid: "chain-expand", on: { click: () => tree.focusAgent(last, chain.slice(0, -1)) } },
          t("network.chain.show"),
        )
      : null,
  );
}
