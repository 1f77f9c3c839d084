// Pieces several views use: headings, error boxes, pagers, key/value lists.
import { h } from "../dom.js";
import { t, num } from "../i18n.js";
import { exportUrl } from "../app.js";

export const EXPORT_FORMATS = ["csv", "xlsx", "graphml", "gexf", "neo4j"];
const SEVERITIES = ["info", "low", "medium", "high", "critical"];

export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}

/** A message for an ApiError (or any error). */
export function errorText(e) {
  if (!e) return "";
  if (e.status === 0) return t("error.network");
  if (e.status === 403) return `${t("error.forbidden")} (${e.message})`;
  return e.message || t("error.unknown", { status: e.status });
}

export function errorBox(e, testid) {
  const box = h("div", { class: "error", role: "alert", testid }, errorText(e));
  if (e && e.details && e.details.length) {
    box.append(
      h(
        "ul",
        null,
        e.details.slice(0, 50).map((d) => h("li", null, detailText(d))),
      ),
    );
  }
  return box;
}

export function detailText(d) {
  const where = [];
  if (d.file) where.push(d.file);
  if (d.row !== undefined && d.row !== null) where.push(t("detail.row", { row: num(d.row) }));
  if (d.column) where.push(t("detail.column", { column: d.column }));
  if (d.field) where.push(d.field);
  return (where.length ? where.join(", ") + ": " : "") + (d.message || "");
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("common.loading"));
}

/**
 * Previous/next buttons and "a–b of n" for a page {items, total, limit, offset,
 * next_offset}; onPage(offset) is called with the new offset.
 */
export function pager(pageObj, onPage, testidPrefix = "page") {
  const { total, limit, offset, next_offset: nextOffset, items } = pageObj;
  if (offset === 0 && (nextOffset === null || nextOffset === undefined)) {
    // one page only: just the count
    return h("p", { class: "pager range" }, t("common.range", { from: num(items.length ? 1 : 0), to: num(items.length), total: num(total) }));
  }
  const from = total === 0 ? 0 : offset + 1;
  const to = offset + items.length;
  return h(
    "div",
    { class: "pager" },
    h(
      "button",
      {
        type: "button",
        testid: `${testidPrefix}-prev`,
        disabled: offset <= 0,
        on: { click: () => onPage(Math.max(0, offset - limit)) },
      },
      "← " + t("common.prev"),
    ),
    h(
      "span",
      { class: "range", "aria-live": "polite" },
      t("common.range", { from: num(from), to: num(to), total: num(total) }),
    ),
    h(
      "button",
      {
        type: "button",
        testid: `${testidPrefix}-next`,
        disabled: nextOffset === null || nextOffset === undefined,
        on: { click: () => onPage(nextOffset) },
      },
      t("common.next") + " →",
    ),
  );
}

/** A <dl> of [term, value] pairs (value: text or node). */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
  );
}

/** A flag's evidence object as a small <dl> (numbers formatted, lists joined). */
export function evidenceList(ev) {
  if (!ev || typeof ev !== "object") return h("span", null, String(ev ?? ""));
  return h(
    "dl",
    { class: "evidence" },
    Object.entries(ev).map(([k, v]) => [h("dt", null, k), h("dd", null, evidenceValue(v))]),
  );
}

const EXAMPLES_SHOWN = 5;

/** One evidence value: lists of records (a money rule's examples) one per line,
 * a nested object as its own small list, anything else as text. */
function evidenceValue(v) {
  const plain = (o) => o !== null && typeof o === "object" && !Array.isArray(o);
  if (Array.isArray(v) && v.length && v.every(plain)) {
    const line = (o) =>
      Object.entries(o)
        .map(([k, x]) => `${k}: ${formatValue(x)}`)
        .join(" · ");
    return h(
      "ul",
      { class: "ev-items" },
      v.slice(0, EXAMPLES_SHOWN).map((o) => h("li", null, line(o))),
      v.length > EXAMPLES_SHOWN ? h("li", { class: "more-items" }, t("common.andmore", { n: num(v.length - EXAMPLES_SHOWN) })) : null,
    );
  }
  if (plain(v)) return evidenceList(v);
  return formatValue(v);
}

export function formatValue(v) {
  if (typeof v === "number") return num(v);
  if (Array.isArray(v)) {
    const shown = v.slice(0, 20).map((x) => (typeof x === "number" ? num(x) : formatValue(x)));
    return shown.join(", ") + (v.length > 20 ? ` … (${num(v.length)})` : "");
  }
  if (v && typeof v === "object") return JSON.stringify(v);
  if (typeof v === "boolean") return v ? t("common.yes") : t("common.no");
  return v === null || v === undefined ? "–" : String(v);
}

export function flagsTable(flags) {
  return h("div", { class: "scroll" }, flagsTableOnly(flags));
}

function flagsTableOnly(flags) {
  return h(
    "table",
    { class: "flags", testid: "flags" },
    h("caption", { class: "visually-hidden" }, t("network.flags")),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, t("network.rule")),
        h("th", { scope: "col" }, t("network.severity")),
        h("th", { scope: "col" }, t("network.citation")),
        h("th", { scope: "col" }, t("network.evidence")),
      ),
    ),
    h(
      "tbody",
      null,
      flags.map((f) =>
        h(
          "tr",
          { testid: "flag-row", "data-rule": f.rule },
          h("td", null, h("code", null, f.rule)),
          h("td", null, h("span", { class: "sev sev-" + f.severity }, SEVERITIES.includes(f.severity) ? t("severity." + f.severity) : f.severity)),
          h("td", { class: "citation" }, f.citation),
          h("td", null, evidenceList(f.evidence)),
        ),
      ),
    ),
  );
}

/**
 * The "Export" group: one plain download link per format (the session cookie signs
 * GET requests, so no script is involved). by: "network" (id = the root) or
 * "downline" (id = the agent); intro: the sentence saying what the file holds.
 */
export function exportGroup(ds, by, id, intro) {
  const headingId = `export-${by}-h`;
  return h(
    "section",
    { class: "card exports", testid: `export-${by}`, "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("export.title")),
    h("p", { class: "hint export-intro" }, intro),
    h("p", { class: "hint" }, t("export.columns")),
    h(
      "ul",
      { class: "export-list" },
      EXPORT_FORMATS.map((f) =>
        h(
          "li",
          null,
          h(
            "a",
            {
              href: exportUrl(ds, by, id, f),
              download: true,
              class: "button-link",
              testid: `export-${by}-${f}`,
              "data-format": f,
            },
            t("export.format." + f),
          ),
          h("span", { class: "export-use" }, t("export.use." + f)),
        ),
      ),
    ),
    h("p", { class: "hint" }, t("export.limit")),
  );
}
