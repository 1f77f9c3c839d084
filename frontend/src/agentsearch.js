// The header's agent search: an ARIA combobox over GET /v1/datasets/{d}/agents?prefix=.
// Typing asks for the first matches (debounced) and lists them; an option opens that
// agent. Submitting an exact id opens the agent, anything else the search results.
import * as api from "./api.js";
import { h, clear, uid } from "./dom.js";
import { t, num } from "./i18n.js";
import { go, link } from "./app.js";

const SUGGESTED = 10;
const DEBOUNCE_MS = 150;

/** The first matches of `prefix` in `ds`: {prefix, items, total}. */
export async function prefixMatches(ds, prefix, limit = SUGGESTED) {
  const p = await api.get(`/v1/datasets/${api.seg(ds)}/agents`, { prefix, limit });
  return { prefix, items: p.items, total: p.total };
}

/**
 * The search form for the header. value: the text to start with; onCleanup(fn):
 * called with what stops the pending timer when the page changes.
 */
export function agentSearch(ds, { value = "", onCleanup = () => {} } = {}) {
  const listId = uid("agent-suggest");
  const input = h("input", {
    type: "search",
    id: uid("agent-search"),
    testid: "agent-search",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    autocomplete: "off",
    spellcheck: "false",
    maxlength: "1000",
    placeholder: t("agent.search"),
    value,
  });
  const list = h("ul", { id: listId, role: "listbox", class: "suggestions", "aria-label": t("agent.suggest.label"), hidden: true });
  // a press on the list (an option, its scroll bar) keeps the focus in the input
  list.addEventListener("mousedown", (ev) => ev.preventDefault());
  const status = h("span", { class: "visually-hidden", role: "status", testid: "agent-suggest-status" });
  const form = h(
    "form",
    { class: "agent-search", role: "search", "aria-label": t("agent.search.go") },
    h("label", { for: input.id, class: "visually-hidden" }, t("agent.search")),
    h("div", { class: "combo" }, input, list),
    h("button", { type: "submit" }, t("agent.search.go")),
    status,
  );

  let shown = null; // {prefix, items, total} listed now (or last fetched)
  let active = -1;
  let timer = null;
  let seq = 0;
  const typed = () => input.value.trim();

  const setActive = (i) => {
    active = i;
    const opts = list.querySelectorAll("[role=option]");
    opts.forEach((o, k) => o.setAttribute("aria-selected", k === i ? "true" : "false"));
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const open = (on) => {
    const yes = on && shown !== null && shown.items.length > 0;
    list.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) setActive(-1);
  };
  const choose = (item) => {
    open(false);
    input.value = item.agent;
    go(link.agent(ds, item.agent));
  };
  const show = (res) => {
    shown = res;
    clear(list);
    res.items.forEach((a, k) => {
      list.append(
        h(
          "li",
          {
            role: "option",
            id: `${listId}-${k}`,
            "aria-selected": "false",
            testid: "agent-suggestion",
            "data-agent": a.agent,
            on: { click: () => choose(a) },
          },
          h("span", { class: "sugg-id" }, a.agent),
          h("span", { class: "sugg-meta" }, t("agent.suggest.meta", { level: num(a.level), root: a.root })),
        ),
      );
    });
    status.textContent = res.items.length
      ? t("agent.suggest.status", { n: num(res.items.length), total: num(res.total), prefix: res.prefix })
      : t("search.none", { prefix: res.prefix });
    setActive(-1);
    open(document.activeElement === input);
  };
  const lookUp = async (prefix) => {
    const mine = ++seq;
    try {
      const res = await prefixMatches(ds, prefix);
      // a later keystroke (or another page) has the last word
      if (mine === seq && input.isConnected && typed() === prefix) show(res);
    } catch {
      if (mine === seq) open(false);
    }
  };
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  onCleanup(cancel);

  input.addEventListener("input", () => {
    cancel();
    const prefix = typed();
    if (!prefix) {
      seq++;
      shown = null;
      clear(list);
      status.textContent = "";
      open(false);
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      lookUp(prefix);
    }, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (ev) => {
    const n = shown ? shown.items.length : 0;
    const expanded = !list.hidden;
    if (ev.key === "ArrowDown" && n) {
      ev.preventDefault();
      if (!expanded) open(true);
      setActive(expanded ? (active + 1) % n : 0);
    } else if (ev.key === "ArrowUp" && n) {
      ev.preventDefault();
      if (!expanded) open(true);
      setActive(active <= 0 ? n - 1 : active - 1);
    } else if (ev.key === "Enter" && expanded && active >= 0) {
      ev.preventDefault();
      choose(shown.items[active]);
    } else if (ev.key === "Escape" && expanded) {
      ev.preventDefault();
      open(false);
    }
  });
  input.addEventListener("blur", () => open(false));
  input.addEventListener("focus", () => {
    if (shown && shown.prefix === typed()) open(true);
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = typed();
    if (!id) return;
    cancel();
    open(false);
    let res = shown && shown.prefix === id ? shown : null;
    if (!res) {
      seq++;
      try {
        res = await prefixMatches(ds, id);
      } catch {
        res = null; // no search: the agent view says whether the id exists
      }
    }
    if (!input.isConnected) return;
    if (!res || res.items.some((a) => a.agent === id)) go(link.agent(ds, id));
    else go(link.search(ds, { prefix: id }));
  });
  return form;
}
