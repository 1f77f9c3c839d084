// #/datasets/NAME/guardrail: what one more recruitment would do; apply it (analysts).
import { h, clear, field } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { canWrite, link } from "../app.js";
import { heading, errorBox, flagsTable } from "./common.js";
import { forgetTrees } from "../tree.js";

// the last inputs, kept across redraws (language switch)
const last = { upline: "", agent: "", rank: "", enforce: true, ds: null, answer: null, applied: false };

export function renderGuardrail(view, ctx) {
  const ds = ctx.route.params.dataset;
  view.append(
    h(
      "nav",
      { class: "crumbs", "aria-label": t("nav.breadcrumb") },
      h("a", { href: link.datasets() }, t("nav.datasets")),
      " / ",
      h("a", { href: link.networks(ds) }, ds),
      " / ",
      h("span", { "aria-current": "page" }, t("nav.guardrail")),
    ),
    heading(t("guardrail.title", { name: ds })),
    h("p", null, t("guardrail.intro")),
  );
  if (!canWrite()) {
    // only analysts may record a recruitment: no apply button for the others
    view.append(h("p", { class: "notice", testid: "guardrail-readonly" }, t("guardrail.readonly")));
  }
  if (ctx.route.query.upline) last.upline = ctx.route.query.upline;
  const upline = h("input", { type: "text", testid: "guardrail-upline", value: last.upline, autocomplete: "off", spellcheck: "false", required: true, maxlength: "512" });
  const agent = h("input", { type: "text", testid: "guardrail-agent", value: last.agent, autocomplete: "off", spellcheck: "false", required: true, maxlength: "512" });
  const rank = h("input", { type: "text", testid: "guardrail-rank", value: last.rank, autocomplete: "off", maxlength: "200" });
  const enforce = h("input", { type: "checkbox", testid: "guardrail-enforce", checked: last.enforce });
  const enforceId = "guardrail-enforce";
  enforce.id = enforceId;
  const check = h("button", { type: "submit", testid: "guardrail-check" }, t("guardrail.check"));
  const apply = h("button", { type: "button", class: "primary-danger", testid: "guardrail-apply" }, t("guardrail.apply"));
  const result = h("div", { class: "guardrail-result", testid: "guardrail-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card guardrail-form" },
    h(
      "div",
      { class: "grid" },
      field(t("guardrail.upline"), upline).wrap,
      field(t("guardrail.agent"), agent).wrap,
      field(t("guardrail.rank"), rank).wrap,
    ),
    canWrite()
      ? h("div", { class: "field checkbox" }, enforce, h("label", { for: enforceId }, t("guardrail.enforce")))
      : null,
    h("div", { class: "submit-row" }, check, canWrite() ? apply : null),
  );
  view.append(form, result);
  if (last.answer && last.ds === ds && !ctx.route.query.upline) {
    result.append(showAnswer(ds, last.answer, last.applied));
  }

  const read = () => {
    last.upline = upline.value.trim();
    last.agent = agent.value.trim();
    last.rank = rank.value.trim();
    last.enforce = enforce.checked;
    if (!last.upline || !last.agent) {
      clear(result).append(h("p", { class: "error", role: "alert" }, t("guardrail.missing")));
      return null;
    }
    const body = { upline_id: last.upline, agent_id: last.agent };
    if (last.rank) body.rank = last.rank;
    return body;
  };

  const run = async (applyIt) => {
    const body = read();
    if (!body) return;
    check.disabled = true;
    apply.disabled = true;
    try {
      const path = `/v1/datasets/${api.seg(ds)}/${applyIt ? "recruitments" : "recruitment-check"}`;
      const answer = await api.post(path, applyIt ? { ...body, enforce: last.enforce } : body);
      if (!ctx.alive()) return;
      if (applyIt) forgetTrees();
      Object.assign(last, { ds, answer, applied: applyIt });
      clear(result).append(showAnswer(ds, answer, applyIt));
    } catch (e) {
      if (!ctx.alive()) return;
      last.answer = null;
      const box = errorBox(e, "guardrail-error");
      if (e.code === "guardrail_blocked") box.prepend(h("strong", null, t("guardrail.blocked", { message: "" })));
      clear(result).append(box);
    } finally {
      check.disabled = false;
      apply.disabled = false;
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    run(false);
  });
  apply.addEventListener("click", () => run(true));
}

function showAnswer(ds, a, applied) {
  const n = a.network;
  const row = (label, before, after) =>
    h(
      "tr",
      { class: before !== after ? "changed" : null },
      h("th", { scope: "row" }, label),
      h("td", { class: "num" }, before),
      h("td", { class: "num" }, after),
    );
  return h(
    "section",
    { class: "card answer" + (a.would_flag ? " would-flag" : "") },
    h("h2", null, `${a.upline_id} → ${a.agent_id}`),
    h(
      "p",
      {
        class: a.would_flag ? "verdict verdict-flag" : refusedIfEnforced(a) ? "verdict verdict-neutral" : "verdict",
        testid: "guardrail-verdict",
      },
      a.would_flag ? t("guardrail.flag.yes") : t("guardrail.flag.no"),
    ),
    applied ? h("p", { class: "notice", testid: "guardrail-applied" }, t("guardrail.applied", { rows: num(a.rows) })) : null,
    h(
      "p",
      null,
      `${t("guardrail.level")}: `,
      h("strong", null, num(a.level)),
      ` · ${t("guardrail.root")}: `,
      h("a", { href: link.network(ds, n.root) }, n.root),
    ),
    h(
      "table",
      { class: "data compact" },
      h(
        "thead",
        null,
        h("tr", null, h("td"), h("th", { scope: "col" }, t("guardrail.before")), h("th", { scope: "col" }, t("guardrail.after"))),
      ),
      h(
        "tbody",
        null,
        row(t("guardrail.members"), num(n.members_before), num(n.members_after)),
        row(t("guardrail.levels"), num(n.levels_before), num(n.levels_after)),
        row(t("guardrail.structure"), t("structure." + n.structure_before), t("structure." + n.structure_after)),
      ),
    ),
    h("p", { testid: "guardrail-tier" }, `${t("guardrail.tier")}: `, h("strong", null, a.adds_agent_tier ? t("common.yes") : t("common.no"))),
    enforcementBox(a),
    h("h3", null, t("guardrail.newly")),
    a.newly_fired.length ? flagsTable(a.newly_fired) : h("p", null, t("guardrail.newly.none")),
    h(
      "p",
      null,
      `${t("guardrail.after.rules")}: `,
      a.rules_after.length ? a.rules_after.map((r) => h("code", { class: "rule" }, r)) : t("common.none"),
    ),
  );
}

const MODES = ["new_rules", "flagged_network", "max_levels"];

const refusedIfEnforced = (a) => Array.isArray(a.refused_if_enforced) && a.refused_if_enforced.length > 0;
const REASONS = ["adds_agent_tier", "flagged_network", "max_levels"];

/** The service's enforcement mode and whether an enforced apply would pass. */
function enforcementBox(a) {
  const mode = a.enforcement;
  const known = MODES.includes(mode);
  const reasons = Array.isArray(a.refused_if_enforced) ? a.refused_if_enforced : [];
  const refused = reasons.length > 0;
  const reasonText = (r) =>
    REASONS.includes(r)
      ? t("guardrail.reason." + r, { level: num(a.level) })
      : [t("guardrail.reason.rule") + " ", h("code", { class: "rule" }, r)];
  return h(
    "section",
    { class: "enforcement" + (refused ? " refused" : ""), "aria-labelledby": "enforcement-h" },
    h("h3", { id: "enforcement-h" }, t("guardrail.enforcement")),
    h(
      "p",
      { testid: "guardrail-enforcement", "data-mode": mode },
      `${t("guardrail.mode")}: `,
      h("strong", null, known ? t("guardrail.mode." + mode) : mode),
      " ",
      h("code", null, mode),
      known ? h("span", { class: "mode-help" }, t("guardrail.mode.help." + mode)) : null,
    ),
    h(
      "div",
      { testid: "guardrail-refusal", "data-refused": refused ? "true" : "false", class: refused ? "refusal refusal-yes" : "refusal refusal-no" },
      h("p", { class: "refusal-verdict" }, refused ? t("guardrail.refused.yes") : t("guardrail.refused.no")),
      refused
        ? h(
            "ul",
            null,
            reasons.map((r) => h("li", { testid: "guardrail-refusal-reason", "data-reason": r }, reasonText(r))),
          )
        : null,
    ),
  );
}
