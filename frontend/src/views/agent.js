// #/datasets/NAME/agents/ID: where one agent stands.
import { h, clear } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { link, go } from "../app.js";
import { heading, errorBox, loading, pager, facts, formatValue, exportGroup } from "./common.js";
import { prefixMatches } from "../agentsearch.js";

const RECRUITS = 50;
const CHAIN_SHOWN = 40;
// the fields shown in their own place; any other field of the answer is listed as is
const KNOWN = new Set([
  "agent",
  "level",
  "root",
  "upline",
  "upline_chain",
  "upline_chain_length",
  "direct_recruits",
  "downline",
  "downline_levels",
  "network_members",
  "network_levels",
  "network_rules",
  "rank",
]);

export function renderAgent(view, ctx) {
  const { dataset: ds, agent: id } = ctx.route.params;
  const offset = Math.max(0, Number.parseInt(ctx.route.query.offset || "0", 10) || 0);
  const body = h("div", null, loading());
  view.append(
    h(
      "nav",
      { class: "crumbs", "aria-label": t("nav.breadcrumb") },
      h("a", { href: link.datasets() }, t("nav.datasets")),
      " / ",
      h("a", { href: link.networks(ds) }, ds),
      " / ",
      h("span", { "aria-current": "page" }, id),
    ),
    heading(t("agent.title", { id })),
    body,
  );
  api
    .get(`/v1/datasets/${api.seg(ds)}/agents/${api.seg(id)}`, { recruits_limit: RECRUITS, recruits_offset: offset })
    .then((a) => {
      if (!ctx.alive()) return;
      clear(body);
      show(body, ds, a);
    })
    .catch((e) => {
      if (!ctx.alive()) return;
      clear(body).append(errorBox(e, "agent-error"));
      if (e.status === 404) didYouMean(body, ctx, ds, id);
    });
}

/** Under a 404: the agents whose id starts with the one asked for (a typo'd or partial id). */
function didYouMean(body, ctx, ds, id) {
  const box = h("section", { class: "card", testid: "agent-did-you-mean", "aria-labelledby": "dym-h" });
  prefixMatches(ds, id)
    .then((res) => {
      if (!ctx.alive()) return;
      box.append(h("h2", { id: "dym-h" }, t("agent.dym.title", { id })));
      if (!res.items.length) {
        box.append(h("p", { class: "empty" }, t("search.none", { prefix: id })));
      } else {
        box.append(
          h(
            "ul",
            { class: "dym-list" },
            res.items.map((a) =>
              h(
                "li",
                null,
                h("a", { href: link.agent(ds, a.agent), testid: "did-you-mean-link" }, a.agent),
                h("span", { class: "hint" }, " · ", t("agent.suggest.meta", { level: num(a.level), root: a.root })),
              ),
            ),
          ),
        );
        if (res.total > res.items.length) {
          box.append(
            h("p", null, h("a", { href: link.search(ds, { prefix: id }), testid: "did-you-mean-all" }, t("agent.dym.all", { n: num(res.total) }))),
          );
        }
      }
      body.append(box);
    })
    .catch(() => {
      /* the dataset itself is missing, or no search: the error says enough */
    });
}

function show(body, ds, a) {
  const agentLink = (x) => h("a", { href: link.agent(ds, x), testid: "chain-link", "data-agent": x }, x);
  const rank = a.rank
    ? h("span", { testid: "agent-rank" }, t("agent.rank.vs", { rank: a.rank, level: num(a.level) }))
    : h("span", { testid: "agent-rank" }, t("agent.rank.none"));
  body.append(
    h(
      "section",
      { class: "card", testid: "agent-facts" },
      facts([
        [t("agent.level"), h("strong", { testid: "agent-level" }, num(a.level))],
        [t("agent.rank"), rank],
        [t("agent.root"), h("a", { href: link.network(ds, a.root), testid: "agent-root" }, a.root)],
        [
          t("agent.network"),
          [
            t("agent.network.value", { members: num(a.network_members), levels: num(a.network_levels) }),
            " · ",
            h("a", { href: link.network(ds, a.root, a.agent), testid: "agent-tree-link" }, t("agent.tree")),
          ],
        ],
        [
          t("agent.rules"),
          a.network_rules.length ? a.network_rules.map((r) => h("code", { class: "rule" }, r)) : t("common.none"),
        ],
        [t("agent.upline"), a.upline === null ? t("agent.upline.none") : h("a", { href: link.agent(ds, a.upline) }, a.upline)],
        [t("agent.downline"), h("span", { testid: "agent-downline" }, num(a.downline))],
        [t("agent.downline.levels"), num(a.downline_levels)],
      ]),
      h(
        "p",
        { class: "tools" },
        h("a", { href: link.guardrail(ds, a.agent), class: "button-link" }, t("agent.guardrail")),
        " ",
        h("a", { href: link.evidence(ds, { agent: a.agent }), class: "button-link", testid: "agent-evidence-link" }, t("agent.evidence")),
      ),
    ),
  );

  // upline chain: root .. the direct upline
  const chain = a.upline_chain;
  const chainList = h("ol", { class: "chain-list", testid: "upline-chain" });
  const addChain = (ids) => chainList.append(...ids.map((x) => h("li", null, agentLink(x))));
  if (chain.length <= CHAIN_SHOWN) addChain(chain);
  else {
    addChain(chain.slice(0, CHAIN_SHOWN / 2));
    const gap = h(
      "li",
      { class: "gap" },
      h(
        "button",
        {
          type: "button",
          class: "more",
          on: {
            click: () => {
              const rest = chain.slice(CHAIN_SHOWN / 2, chain.length - CHAIN_SHOWN / 2);
              gap.replaceWith(...rest.map((x) => h("li", null, agentLink(x))));
            },
          },
        },
        `… ${num(chain.length - CHAIN_SHOWN)} …`,
      ),
    );
    chainList.append(gap);
    addChain(chain.slice(-CHAIN_SHOWN / 2));
  }
  body.append(
    h(
      "section",
      { class: "card", "aria-labelledby": "chain-h" },
      h("h2", { id: "chain-h" }, t("agent.chain", { n: num(a.upline_chain_length) })),
      chain.length ? chainList : h("p", null, t("agent.upline.none")),
      chain.length < a.upline_chain_length
        ? h("p", { class: "hint" }, t("agent.chain.cut", { shown: num(chain.length), n: num(a.upline_chain_length) }))
        : null,
    ),
  );

  // direct recruits, a page at a time
  const page = a.direct_recruits;
  const recruits = h(
    "section",
    { class: "card", "aria-labelledby": "recruits-h" },
    h("h2", { id: "recruits-h" }, t("agent.recruits", { n: num(page.total) })),
  );
  if (page.items.length) {
    recruits.append(
      h(
        "ul",
        { class: "recruits", testid: "recruits" },
        page.items.map((x) => h("li", null, h("a", { href: link.agent(ds, x), testid: "recruit-link" }, x))),
      ),
    );
  }
  if (page.total > page.limit) {
    recruits.append(
      pager(page, (o) => go(`${link.agent(ds, a.agent)}${o ? "?offset=" + o : ""}`), "recruits-page"),
    );
  }
  body.append(recruits);

  const extra = Object.entries(a).filter(([k]) => !KNOWN.has(k));
  if (extra.length) {
    body.append(
      h(
        "section",
        { class: "card", "aria-labelledby": "extra-h" },
        h("h2", { id: "extra-h" }, t("agent.extra")),
        facts(extra.map(([k, v]) => [k, formatValue(v)])),
      ),
    );
  }
  body.append(exportGroup(ds, "downline", a.agent, t("export.downline.intro", { id: a.agent, n: num(a.downline) })));
}
