// The recruitment tree of one network, loaded on demand: a model (what is loaded
// and expanded), a cytoscape drawing and an accessible outline of the same nodes.
import * as api from "./api.js";

export const RECRUITS_PAGE = 25;
export const MAX_DRAWN = 1500;

// Level colours (all >= 3:1 against white, the canvas background).
export const LEVEL_COLOURS = [
  "#1f4e79",
  "#0072b2",
  "#00805e",
  "#8a6d00",
  "#c24e00",
  "#a8527f",
  "#6a3d9a",
  "#8c564b",
  "#2f6f6f",
  "#5f6b00",
];

export const levelColour = (level) => LEVEL_COLOURS[(Math.max(1, level) - 1) % LEVEL_COLOURS.length];

// one model per network, kept while the session lasts so a redraw (language
// switch, back button) shows the same expanded tree
const models = new Map();

export function treeModel(ds, root) {
  const key = ds + "\u0000" + root;
  let m = models.get(key);
  if (!m) {
    m = new TreeModel(ds, root);
    models.set(key, m);
  }
  return m;
}

/** Forget every cached tree (after the data changed: upload, recruitment, delete). */
export function forgetTrees() {
  models.clear();
}

export class TreeModel {
  constructor(ds, rootId) {
    this.ds = ds;
    this.rootId = rootId;
    this.nodes = new Map();
    this.focusId = rootId;
    this.fresh = true; // not drawn yet: fit the view on the first drawing
    this.add(rootId, null, 1);
  }

  add(id, parent, level) {
    let n = this.nodes.get(id);
    if (!n) {
      n = {
        id,
        parent,
        level,
        children: [],
        childSet: new Set(),
        total: null, // direct recruits in all (null: not fetched yet)
        loaded: 0, // server offset reached by paging through the recruits
        pinned: new Set(), // recruits shown ahead of their page (a searched path)
        expanded: false,
      };
      this.nodes.set(id, n);
    }
    return n;
  }

  get(id) {
    return this.nodes.get(id);
  }

  attach(parent, childId) {
    const c = this.add(childId, parent.id, parent.level + 1);
    if (!parent.childSet.has(childId)) {
      parent.childSet.add(childId);
      parent.children.push(childId);
    }
    return c;
  }

  /** Fetch the next page of `id`'s direct recruits. */
  async loadMore(id) {
    const n = this.nodes.get(id);
    const data = await api.get(`/v1/datasets/${api.seg(this.ds)}/agents/${api.seg(id)}`, {
      recruits_limit: RECRUITS_PAGE,
      recruits_offset: n.loaded,
      chain_limit: 1,
    });
    n.level = data.level;
    const page = data.direct_recruits;
    n.total = page.total;
    for (const c of page.items) {
      this.attach(n, c);
      n.pinned.delete(c);
    }
    n.loaded = page.offset + page.items.length;
    return n;
  }

  remaining(n) {
    if (n.total === null) return 0;
    return Math.max(0, n.total - n.loaded - n.pinned.size);
  }

  async expand(id) {
    const n = this.nodes.get(id);
    if (n.total === null) await this.loadMore(id);
    n.expanded = n.total > 0 || n.children.length > 0;
    return n;
  }

  collapse(id) {
    const n = this.nodes.get(id);
    n.expanded = false;
    // the focus must stay visible
    let f = this.nodes.get(this.focusId);
    while (f && f.parent !== null) {
      if (f.parent === id) {
        this.focusId = id;
        break;
      }
      f = this.nodes.get(f.parent);
    }
  }

  collapseAll() {
    for (const n of this.nodes.values()) n.expanded = false;
    this.focusId = this.rootId;
  }

  /** Ids drawn now, in outline (depth-first) order. */
  visible() {
    const out = [];
    const stack = [this.rootId];
    while (stack.length) {
      const id = stack.pop();
      out.push(id);
      const n = this.nodes.get(id);
      if (n.expanded) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }

  /**
   * Open the path root .. target: `chain` lists the ids from the root to the
   * target's upline. Recruits beyond the loaded pages are pinned into their
   * upline's list so the path shows without loading every page before it.
   */
  async openPath(chain, target) {
    const path = [...chain, target];
    if (path[0] !== this.rootId) throw new Error("not in this network");
    for (let i = 0; i < path.length - 1; i++) {
      const n = this.nodes.get(path[i]);
      if (n.total === null) await this.loadMore(n.id);
      const next = path[i + 1];
      if (!n.childSet.has(next)) {
        this.attach(n, next);
        n.pinned.add(next);
      }
      n.expanded = true;
    }
    this.focusId = target;
  }
}

