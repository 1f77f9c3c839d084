// Language state, label lookup and number formatting.
import { LABELS } from "./labels.js";

const STORE_KEY = "agentgraph.lang";
const listeners = new Set();

function initial() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    /* storage refused: fall back to the browser's language */
  }
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return nav.toLowerCase().startsWith("zh") ? "zh" : "en";
}

let lang = initial();
let numberFormat = makeFormat(lang);
let moneyFormat = makeMoney(lang);

function makeMoney(l) {
  // amounts are yuan (the evidence's unit)
  return new Intl.NumberFormat(l === "zh" ? "zh-CN" : "en-US", {
    style: "currency",
    currency: "CNY",
    currencyDisplay: "narrowSymbol",
  });
}

function makeFormat(l) {
  return new Intl.NumberFormat(l === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 3 });
}

export function getLang() {
  return lang;
}

export function setLang(l) {
  if (l !== "en" && l !== "zh") return;
  lang = l;
  numberFormat = makeFormat(l);
  moneyFormat = makeMoney(l);
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* not remembered */
  }
  applyDocumentLang();
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function applyDocumentLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app.title");
}

/** The label `key` in the current language, "{name}" filled from `vars`. */
export function t(key, vars) {
  const table = LABELS[lang];
  let s = table[key];
  if (s === undefined) s = LABELS.en[key];
  if (s === undefined) return key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

/** A number with thousands separators (null/undefined as an en dash). */
export function num(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return numberFormat.format(n);
}

/** An ISO time as a local date and time (the raw string if it does not parse). */
export function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** An amount in yuan (null/undefined as an en dash). */
export function money(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "–";
  return moneyFormat.format(Number(n));
}

/**
 * A time as the evidence stores it (wall-clock time in the reference zone, no
 * offset): "2020-01-03 09:00", not shifted to the browser's zone.
 */
export function wallTime(s) {
  if (!s) return "–";
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?/.exec(String(s));
  if (!m) return String(s);
  return m[3] && m[3] !== ":00" ? `${m[1]} ${m[2]}${m[3]}` : `${m[1]} ${m[2]}`;
}
