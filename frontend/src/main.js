// The workbench: session, header, hash router.
import "./style.css";
import * as api from "./api.js";
import { h, clear } from "./dom.js";
import { t, getLang, setLang, onLangChange, applyDocumentLang } from "./i18n.js";
import { renderSignin } from "./views/signin.js";
import { renderDatasets } from "./views/datasets.js";
import { renderNetworks } from "./views/networks.js";
import { renderNetwork } from "./views/network.js";
import { renderAgent } from "./views/agent.js";
import { renderGuardrail } from "./views/guardrail.js";
import { renderAdmin } from "./views/admin.js";
import { renderEvidence } from "./views/evidence.js";
import { renderSearch } from "./views/search.js";
import { agentSearch } from "./agentsearch.js";
import { state, canRead, go, link } from "./app.js";

function parseRoute() {
  let hash = location.hash || "";
  if (!hash.startsWith("#/")) hash = "#/datasets";
  const [pathPart, queryPart = ""] = hash.slice(2).split("?");
  const parts = pathPart.split("/").filter((p) => p !== "");
  let decoded;
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    decoded = parts;
  }
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  const r = { name: "notfound", params: {}, query, path: pathPart };
  if (decoded.length === 0 || (decoded[0] === "datasets" && decoded.length === 1)) {
    r.name = "datasets";
  } else if (decoded[0] === "signin") {
    r.name = "signin";
  } else if (decoded[0] === "datasets" && decoded.length >= 3) {
    const ds = decoded[1];
    r.params.dataset = ds;
    if (decoded[2] === "networks" && decoded.length === 3) r.name = "networks";
    else if (decoded[2] === "networks" && decoded.length >= 4) {
      r.name = "network";
      r.params.root = decoded.slice(3).join("/");
    } else if (decoded[2] === "agents" && decoded.length >= 4) {
      r.name = "agent";
      r.params.agent = decoded.slice(3).join("/");
    } else if (decoded[2] === "guardrail" && decoded.length === 3) r.name = "guardrail";
    else if (decoded[2] === "evidence" && decoded.length === 3) r.name = "evidence";
    else if (decoded[2] === "search" && decoded.length === 3) r.name = "search";
  }
  return r;
}

function runCleanups() {
  for (const fn of state.cleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* a cleanup failing must not stop the next view */
    }
  }
}

// --- header ---------------------------------------------------------------------

function renderHeader() {
  const top = document.getElementById("top");
  clear(top);
  document.getElementById("skip-link").textContent = t("app.skip");
  const r = state.route || parseRoute();
  const ds = r.params.dataset;
  const left = h(
    "div",
    { class: "brand" },
    h("a", { href: "#/datasets", class: "brand-link" }, t("app.title")),
  );
  const nav = h("nav", { "aria-label": t("nav.main"), class: "mainnav" });
  const items = [];
  if (state.session && canRead()) {
    items.push([t("nav.datasets"), link.datasets(), r.name === "datasets"]);
    if (ds) {
      items.push([`${ds} · ${t("nav.networks")}`, link.networks(ds), r.name === "networks"]);
      items.push([t("nav.evidence"), link.evidence(ds), r.name === "evidence"]);
      items.push([t("nav.guardrail"), link.guardrail(ds), r.name === "guardrail"]);
    }
  }
  if (state.session) items.push([t("nav.docs"), "/docs", false]);
  nav.append(
    h(
      "ul",
      null,
      items.map(([label, href, current]) =>
        h("li", null, h("a", { href, "aria-current": current ? "page" : null }, label)),
      ),
    ),
  );
  const right = h("div", { class: "session" });
  if (state.session && ds && canRead()) {
    right.append(
      agentSearch(ds, {
        value: r.name === "search" ? (r.query.prefix || "").trim() : "",
        onCleanup: (fn) => state.cleanups.push(fn),
      }),
    );
  }
  if (state.session) {
    const s = state.session;
    const role = t("role." + s.role);
    right.append(
      h(
        "span",
        { class: "whoami", testid: "whoami" },
        s.tenant ? t("whoami", { role, tenant: s.tenant }) : t("whoami.notenant", { role }),
      ),
      h("button", { type: "button", testid: "signout", on: { click: doSignOut } }, t("signout")),
    );
  }
  right.append(
    h(
      "button",
      {
        type: "button",
        class: "lang",
        testid: "lang-switch",
        lang: getLang() === "zh" ? "en" : "zh-CN",
        title: t("lang.switch.label"),
        on: { click: () => setLang(getLang() === "zh" ? "en" : "zh") },
      },
      t("lang.switch"),
    ),
  );
  top.append(left, nav, right);
}

async function doSignOut() {
  try {
    await api.signOut();
  } catch {
    /* signed out anyway: the cookie is the server's to drop */
  }
  state.session = null;
  api.setCsrf(null);
  state.notice = null;
  go("#/signin");
}

// --- routing --------------------------------------------------------------------

function route() {
  const r = parseRoute();
  const prev = state.route;
  state.route = r;
  runCleanups();
  const main = document.getElementById("main");
  if (!state.session && r.name !== "signin") {
    location.replace("#/signin");
    return;
  }
  if (state.session && r.name === "signin") {
    location.replace("#/datasets");
    return;
  }
  renderHeader();
  const view = h("div", { class: "view view-" + r.name });
  clear(main).append(view);
  const ctx = {
    route: r,
    onCleanup: (fn) => state.cleanups.push(fn),
    alive: () => state.route === r,
  };
  if (r.name === "signin") {
    renderSignin(view, ctx, { notice: state.notice, onSignedIn: signedIn });
  } else if (!canRead()) {
    renderAdmin(view, ctx);
  } else if (r.name === "datasets") renderDatasets(view, ctx);
  else if (r.name === "networks") renderNetworks(view, ctx);
  else if (r.name === "network") renderNetwork(view, ctx);
  else if (r.name === "agent") renderAgent(view, ctx);
  else if (r.name === "guardrail") renderGuardrail(view, ctx);
  else if (r.name === "evidence") renderEvidence(view, ctx);
  else if (r.name === "search") renderSearch(view, ctx);
  else view.append(h("h1", { tabindex: "-1" }, t("common.notfound")));
  // move focus to the new view's heading when the page changed (not on first load,
  // nor when only the query of the same page changed)
  if (!state.firstRender && (!prev || prev.path !== r.path)) {
    const h1 = view.querySelector("h1");
    if (h1) {
      h1.setAttribute("tabindex", "-1");
      h1.focus({ preventScroll: false });
    }
  }
  state.firstRender = false;
}

function signedIn(sess) {
  state.session = sess;
  api.setCsrf(sess.csrf_token);
  state.notice = null;
  go("#/datasets");
}

api.setUnauthorizedHandler(() => {
  if (!state.session) return;
  state.session = null;
  api.setCsrf(null);
  state.notice = t("signin.expired");
  go("#/signin");
});

window.addEventListener("hashchange", () => {
  // in-page anchors (the skip link) are not routes
  if (location.hash.startsWith("#/") || location.hash === "") route();
});

onLangChange(() => {
  // redraw the current page in the new language (views keep their state in module caches)
  route();
});

async function boot() {
  applyDocumentLang();
  const main = document.getElementById("main");
  main.append(h("p", { class: "loading" }, t("common.loading")));
  try {
    const sess = await api.currentSession();
    if (sess) {
      state.session = sess;
      api.setCsrf(sess.csrf_token);
    }
  } catch {
    state.notice = t("error.network");
  }
  if (!location.hash.startsWith("#/")) location.replace(state.session ? "#/datasets" : "#/signin");
  route();
}

state.reroute = route;
boot();
