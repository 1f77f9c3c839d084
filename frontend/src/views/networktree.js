// The network view's tree: the cytoscape drawing and the keyboard-navigable outline
// beside it, both over the on-demand tree model (../tree.js).
import { h, clear, uid } from "../dom.js";
import { t, num } from "../i18n.js";
import * as api from "../api.js";
import { link } from "../app.js";
import { errorText } from "./common.js";
import { treeModel, levelColour, LEVEL_COLOURS, MAX_DRAWN, RECRUITS_PAGE } from "../tree.js";

export function treeSection(ctx, ds, net) {
  const model = treeModel(ds, net.root);
  const chainSet = new Set(net.deepest_chain);
  const status = h("p", { class: "tree-status", role: "status", "aria-live": "polite" });
  const canvas = h("div", { class: "tree-canvas", testid: "tree", role: "img", "aria-label": t("tree.canvas") });
  const outline = h("div", { class: "outline", testid: "tree-outline" });
  const legend = h("ul", { class: "legend", "aria-label": t("tree.legend") });
  const selected = h("div", { class: "selected", "aria-live": "polite" });
  const searchInput = h("input", {
    type: "search",
    id: uid("tree-search"),
    testid: "tree-search",
    autocomplete: "off",
    spellcheck: "false",
  });
  const searchMsg = h("p", { class: "search-msg", role: "status", testid: "tree-search-result" });
  const searchForm = h(
    "form",
    { class: "tree-search", role: "search", "aria-label": t("tree.search") },
    h("label", { for: searchInput.id }, t("tree.search")),
    h("div", { class: "inline" }, searchInput, h("button", { type: "submit", testid: "tree-search-go" }, t("tree.search.go"))),
    searchMsg,
  );
  const outlineId = uid("outline-h");
  const section = h(
    "section",
    { class: "card tree-section", "aria-labelledby": "tree-h" },
    h("h2", { id: "tree-h" }, t("tree.title")),
    h("p", { class: "hint" }, t("tree.help")),
    h(
      "div",
      { class: "tree-tools" },
      searchForm,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", testid: "tree-fit", on: { click: () => cy && cy.fit(undefined, 30) } }, t("tree.fit")),
        h(
          "button",
          {
            type: "button",
            testid: "tree-collapse",
            on: {
              click: () => {
                model.collapseAll();
                redraw({ fit: true });
              },
            },
          },
          t("tree.collapse"),
        ),
      ),
    ),
    h(
      "div",
      { class: "tree-layout" },
      h("div", { class: "tree-draw" }, canvas, h("div", { class: "legend-row" }, h("span", null, t("tree.legend") + ":"), legend), status),
      h(
        "div",
        { class: "tree-side" },
        selected,
        h("h3", { id: outlineId }, t("tree.outline")),
        h("p", { class: "hint", id: outlineId + "-help" }, t("tree.outline.help")),
        outline,
      ),
    ),
  );
  outline.setAttribute("aria-labelledby", outlineId);
  outline.setAttribute("aria-describedby", outlineId + "-help");

  let cy = null;
  let busy = false;

  searchForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = searchInput.value.trim();
    if (!id) return;
    searchMsg.textContent = t("common.loading");
    try {
      const agent = await api.get(`/v1/datasets/${api.seg(ds)}/agents/${api.seg(id)}`, { recruits_limit: 1 });
      if (agent.root !== net.root) {
        clear(searchMsg).append(
          t("tree.search.other", { id, root: agent.root }),
          h("a", { href: link.network(ds, agent.root, id) }, t("tree.search.open")),
        );
        return;
      }
      let chain = agent.upline_chain;
      if (chain.length < agent.upline_chain_length) chain = await fullChain(ds, agent);
      searchMsg.textContent = "";
      await focusAgent(id, chain);
    } catch (e) {
      searchMsg.textContent = errorText(e);
    }
  });

  async function focusAgent(id, chain) {
    if (busy) return;
    busy = true;
    try {
      await model.openPath(chain, id);
      const n = model.get(id);
      if (n.total === null) await model.loadMore(id);
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      busy = false;
    }
    redraw({ focus: id, focusOutline: true });
  }

  async function toggle(id) {
    if (busy) return;
    const n = model.get(id);
    if (!n) return;
    model.focusId = id;
    if (n.expanded) {
      model.collapse(id);
      redraw({ focus: id, focusOutline: true });
      return;
    }
    if (model.visible().length + Math.min(RECRUITS_PAGE, n.total ?? RECRUITS_PAGE) > MAX_DRAWN) {
      status.textContent = t("tree.cap", { n: num(MAX_DRAWN) });
      return;
    }
    busy = true;
    try {
      await model.expand(id);
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      busy = false;
    }
    redraw({ focus: id, focusOutline: true });
  }

  async function more(id) {
    if (busy) return;
    if (model.visible().length + RECRUITS_PAGE > MAX_DRAWN) {
      status.textContent = t("tree.cap", { n: num(MAX_DRAWN) });
      return;
    }
    busy = true;
    const n = model.get(id);
    const before = n.children.length;
    try {
      await model.loadMore(id);
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      busy = false;
    }
    // focus the first newly loaded recruit (or the node itself)
    const first = n.children[before] || id;
    model.focusId = first;
    redraw({ focus: first, focusOutline: true });
  }

  // --- outline -------------------------------------------------------------------------

  function renderOutline(focusOutline) {
    const had = outline.contains(document.activeElement);
    clear(outline);
    const rootUl = h("ul", { class: "outline-list" });
    const build = (id, ul) => {
      const n = model.get(id);
      const stateText =
        n.total === null ? "" : n.total === 0 ? ` · ${t("tree.node.leaf")}` : ` · ${t("tree.node.recruits", { n: num(n.total) })}`;
      const btn = h(
        "button",
        {
          type: "button",
          class: ["node", model.focusId === id && "focused", chainSet.has(id) && "on-chain"],
          testid: "tree-node",
          "data-agent": id,
          "data-level": String(n.level),
          "aria-expanded": n.total === 0 ? null : n.expanded ? "true" : "false",
          "aria-current": model.focusId === id ? "true" : null,
          tabindex: model.focusId === id ? "0" : "-1",
        },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "node-id" }, id),
        h("span", { class: "node-meta" }, ` · ${t("network.tier", { level: num(n.level) })}${stateText}`),
      );
      btn.querySelector(".dot").style.backgroundColor = levelColour(n.level);
      const li = h("li", null, btn);
      if (n.expanded && (n.children.length || model.remaining(n))) {
        const sub = h("ul", null);
        for (const c of n.children) build(c, sub);
        const left = model.remaining(n);
        if (left > 0) {
          sub.append(
            h(
              "li",
              null,
              h(
                "button",
                { type: "button", class: "more", testid: "tree-more", "data-parent": id, tabindex: "-1" },
                t("common.more", { n: num(Math.min(RECRUITS_PAGE, left)), left: num(left) }),
              ),
            ),
          );
        }
        li.append(sub);
      }
      ul.append(li);
    };
    build(model.rootId, rootUl);
    outline.append(rootUl);
    if (focusOutline || had) {
      const b = outline.querySelector(`button[tabindex="0"]`);
      if (b) b.focus({ preventScroll: false });
    }
  }

  outline.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn) return;
    if (btn.dataset.parent !== undefined) more(btn.dataset.parent);
    else if (btn.dataset.agent !== undefined) toggle(btn.dataset.agent);
  });

  outline.addEventListener("keydown", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn) return;
    const all = Array.from(outline.querySelectorAll("button"));
    const i = all.indexOf(btn);
    const move = (j) => {
      const target = all[Math.max(0, Math.min(all.length - 1, j))];
      if (!target) return;
      for (const b of all) b.tabIndex = -1;
      target.tabIndex = 0;
      target.focus();
      if (target.dataset.agent !== undefined) {
        model.focusId = target.dataset.agent;
        markFocus(target.dataset.agent);
      }
    };
    const id = btn.dataset.agent;
    const n = id !== undefined ? model.get(id) : null;
    switch (ev.key) {
      case "ArrowDown":
        move(i + 1);
        break;
      case "ArrowUp":
        move(i - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(all.length - 1);
        break;
      case "ArrowRight":
        if (!n) return;
        if (!n.expanded && n.total !== 0) toggle(id);
        else if (n.expanded) move(i + 1);
        break;
      case "ArrowLeft":
        if (n && n.expanded) toggle(id);
        else {
          const parentId = n ? n.parent : btn.dataset.parent;
          if (parentId !== null && parentId !== undefined) {
            const p = outline.querySelector(`button[data-agent="${cssEscape(parentId)}"]`);
            if (p) move(all.indexOf(p));
          }
        }
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  function markFocus(id) {
    showSelected(id);
    if (!cy) return;
    cy.nodes(".focus").removeClass("focus");
    const node = cy.getElementById(id);
    if (node.nonempty()) {
      node.addClass("focus");
      if (!inView(node)) cy.center(node);
    }
  }

  function inView(node) {
    const ext = cy.extent();
    const p = node.position();
    return p.x >= ext.x1 && p.x <= ext.x2 && p.y >= ext.y1 && p.y <= ext.y2;
  }

  function showSelected(id) {
    const n = model.get(id);
    clear(selected);
    if (!n) return;
    selected.append(
      h("p", { class: "selected-id" }, h("strong", null, id), " · ", t("network.tier", { level: num(n.level) })),
      h(
        "p",
        { class: "selected-links" },
        h("a", { href: link.agent(ds, id), testid: "tree-agent-link" }, t("tree.open.agent")),
        " · ",
        h("a", { href: link.guardrail(ds, id) }, t("agent.guardrail")),
      ),
    );
  }

  // --- cytoscape ------------------------------------------------------------------

  function elements() {
    const els = [];
    const ids = model.visible();
    for (const id of ids) {
      const n = model.get(id);
      const classes = [];
      if (chainSet.has(id)) classes.push("chain");
      if (id === model.focusId) classes.push("focus");
      if (n.expanded) classes.push("expanded");
      else if (n.total !== 0) classes.push("collapsed");
      els.push({
        group: "nodes",
        data: { id, label: id, level: n.level, colour: levelColour(n.level) },
        classes: classes.join(" "),
      });
      if (n.parent !== null) {
        els.push({
          group: "edges",
          data: { id: "e\u0000" + id, source: n.parent, target: id },
          classes: chainSet.has(id) && chainSet.has(n.parent) ? "chain" : "",
        });
      }
      const left = n.expanded ? model.remaining(n) : 0;
      if (left > 0) {
        const mid = "more\u0000" + id;
        els.push({ group: "nodes", data: { id: mid, label: t("tree.more", { n: num(left) }), more: id }, classes: "more" });
        els.push({ group: "edges", data: { id: "e\u0000" + mid, source: id, target: mid }, classes: "more" });
      }
    }
    return { els, count: ids.length };
  }

  function redraw({ fit = false, focus = null, focusOutline = false } = {}) {
    if (!ctx.alive()) return;
    renderOutline(focusOutline);
    const { els, count } = elements();
    status.textContent = t("tree.shown", { n: num(count) });
    renderLegend();
    showSelected(model.focusId);
    if (!cy) return;
    cy.batch(() => {
      cy.elements().remove();
      cy.add(els);
    });
    const layout = cy.layout({
      name: "breadthfirst",
      directed: true,
      roots: [model.rootId],
      spacingFactor: 1.15,
      avoidOverlap: true,
      nodeDimensionsIncludeLabels: true,
      animate: false,
    });
    layout.run();
    const node = focus ? cy.getElementById(focus) : cy.collection();
    if (fit || model.fresh || count <= 12 || node.empty()) {
      cy.fit(undefined, 30);
      clampZoom(0.05, 1.3);
    } else {
      // frame the node with its upline and its drawn recruits, readable
      cy.fit(node.union(node.incomers("node")).union(node.outgoers("node")), 40);
      clampZoom(0.55, 1.3);
      if (!inView(node)) cy.center(node);
    }
    model.fresh = false;
  }

  function clampZoom(lo, hi) {
    const z = cy.zoom();
    const mid = { x: cy.width() / 2, y: cy.height() / 2 };
    if (z > hi) cy.zoom({ level: hi, renderedPosition: mid });
    else if (z < lo) cy.zoom({ level: lo, renderedPosition: mid });
  }

  function renderLegend() {
    clear(legend);
    const levels = new Set();
    for (const id of model.visible()) levels.add(model.get(id).level);
    const sorted = [...levels].sort((a, b) => a - b).slice(0, LEVEL_COLOURS.length);
    for (const l of sorted) {
      const sw = h("span", { class: "swatch", "aria-hidden": "true" });
      sw.style.backgroundColor = levelColour(l);
      legend.append(h("li", null, sw, t("network.tier", { level: num(l) })));
    }
    legend.append(h("li", null, h("span", { class: "swatch swatch-chain", "aria-hidden": "true" }), t("tree.legend.chain")));
  }

  async function start() {
    // the root alone, collapsed: its first page of recruits is fetched (to show how
    // many there are) and drawn when it is expanded
    const rootNode = model.get(model.rootId);
    try {
      if (rootNode.total === null) await model.loadMore(model.rootId);
    } catch (e) {
      status.textContent = errorText(e);
    }
    if (!ctx.alive()) return;
    renderOutline(false);
    renderLegend();
    showSelected(model.focusId);
    try {
      const mod = await import("cytoscape");
      if (!ctx.alive()) return;
      cy = createCy(mod.default, canvas);
      cy.on("tap", "node", (ev) => {
        const d = ev.target.data();
        if (d.more !== undefined) more(d.more);
        else toggle(d.id);
      });
      window.__workbench = { ...(window.__workbench || {}), cy, tree: model };
      ctx.onCleanup(() => {
        cy.destroy();
        if (window.__workbench && window.__workbench.cy === cy) window.__workbench.cy = null;
      });
    } catch (e) {
      status.textContent = errorText(e);
    }
    redraw({ fit: true });
    const focus = ctx.route.query.focus;
    if (focus && focus !== model.rootId) {
      searchInput.value = focus;
      searchForm.requestSubmit();
    }
  }

  return { section, start, focusAgent, ds };
}

async function fullChain(ds, agent) {
  // the listed chain stops at chain_limit ids from the root: walk up from the agent
  // for the rest (only for chains deeper than the server's page_size_max)
  const known = agent.upline_chain;
  const tail = [];
  let cur = agent.upline;
  const stop = known[known.length - 1];
  let guard = 0;
  while (cur !== null && cur !== stop && guard < 100000) {
    tail.push(cur);
    const a = await api.get(`/v1/datasets/${api.seg(ds)}/agents/${api.seg(cur)}`, { recruits_limit: 1, chain_limit: 1 });
    cur = a.upline;
    guard += 1;
  }
  return [...known, ...tail.reverse()];
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
}

function createCy(cytoscape, container) {
  // cytoscape adds a <style> element unless one with this id exists: a strict CSP
  // would refuse it; the rule it carries is in style.css
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    const marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.append(marker);
  }
  return cytoscape({
    container,
    minZoom: 0.05,
    maxZoom: 3,
    boxSelectionEnabled: false,
    autoungrabify: true,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          label: "data(label)",
          color: "#1a1a1a",
          "font-size": 11,
          "font-family": "system-ui, sans-serif",
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
          width: 22,
          height: 22,
          "border-width": 2,
          "border-color": "#ffffff",
        },
      },
      { selector: "node.collapsed", style: { shape: "round-rectangle" } },
      { selector: "node.chain", style: { "border-color": "#c00000", "border-width": 4 } },
      {
        selector: "node.focus",
        style: { width: 32, height: 32, "border-color": "#111111", "border-width": 5, "font-weight": "bold", "z-index": 10 },
      },
      {
        selector: "node.more",
        style: {
          shape: "round-rectangle",
          "background-color": "#f2f2f2",
          "border-color": "#555555",
          "border-width": 1,
          "border-style": "dashed",
          width: 60,
          height: 18,
          "text-valign": "center",
          "text-margin-y": 0,
          "text-background-opacity": 0,
          color: "#222222",
          "font-size": 10,
        },
      },
      {
        selector: "edge",
        style: {
          width: 1.5,
          "line-color": "#8a8a8a",
          "curve-style": "bezier",
          "target-arrow-shape": "triangle",
          "target-arrow-color": "#8a8a8a",
          "arrow-scale": 0.7,
        },
      },
      { selector: "edge.chain", style: { width: 4, "line-color": "#c00000", "target-arrow-color": "#c00000" } },
      { selector: "edge.more", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
    ],
  });
}

