// #/datasets: the tenant's datasets; for analysts upload, delete and scans.
import { h, clear, field } from "../dom.js";
import { t, num, when } from "../i18n.js";
import * as api from "../api.js";
import { canWrite, session, link } from "../app.js";
import { heading, errorBox, errorText, loading, pager, detailText } from "./common.js";
import { forgetTrees } from "../tree.js";

const PAGE = 25;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const POLICIES = ["cn", "us-ftc", "eu-ucpd"];
const POLL_MS = 600;

let offset = 0;

export function renderDatasets(view, ctx) {
  const s = session();
  const tableBox = h("div", { class: "table-box" }, loading());
  const message = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  view.append(heading(t("datasets.title")), message, tableBox);
  if (canWrite()) view.append(uploadForm(ctx, () => load(), message));

  // scans being followed: scan id -> the function showing its state (the latest row's)
  const polls = new Map();
  const timers = new Set();
  ctx.onCleanup(() => {
    for (const id of timers) clearTimeout(id);
    timers.clear();
    polls.clear();
  });

  async function load() {
    let pageObj;
    try {
      pageObj = await api.get("/v1/datasets", { limit: PAGE, offset });
    } catch (e) {
      if (!ctx.alive()) return;
      clear(tableBox).append(errorBox(e));
      return;
    }
    if (!ctx.alive()) return;
    if (pageObj.items.length === 0 && offset > 0) {
      offset = Math.max(0, offset - PAGE);
      return load();
    }
    clear(tableBox);
    if (pageObj.total === 0) {
      tableBox.append(h("p", { class: "empty" }, t("datasets.empty")));
      return;
    }
    const tbody = h("tbody");
    for (const d of pageObj.items) tbody.append(row(d));
    tableBox.append(
      h(
        "div",
        { class: "scroll" },
        h(
          "table",
          { class: "data", testid: "datasets-table" },
          h("caption", null, t("datasets.caption", { tenant: s.tenant || "" })),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("datasets.col.name")),
              h("th", { scope: "col" }, t("datasets.col.kind")),
              h("th", { scope: "col", class: "num" }, t("datasets.col.rows")),
              h("th", { scope: "col" }, t("datasets.col.source")),
              h("th", { scope: "col" }, t("datasets.col.loaded")),
              h("th", { scope: "col" }, t("datasets.col.scan")),
              canWrite() ? h("th", { scope: "col" }, t("common.actions")) : null,
            ),
          ),
          tbody,
        ),
      ),
      pager(
        pageObj,
        (o) => {
          offset = o;
          load();
        },
        "datasets-page",
      ),
    );
  }

  function row(d) {
    const status = h("span", { class: "scan-status", testid: "scan-status", "aria-live": "polite" });
    const reportSlot = h("span", { class: "report-slot" });
    const scanCell = h("td", { class: "scan-cell" }, status, " ", reportSlot);
    const tr = h(
      "tr",
      { testid: "dataset-row", "data-dataset": d.name },
      h(
        "th",
        { scope: "row" },
        h("a", { href: link.networks(d.name), testid: "dataset-link" }, d.name),
        h(
          "span",
          { class: "sub-links" },
          h("a", { href: link.evidence(d.name), testid: "dataset-evidence" }, t("networks.evidence.open")),
        ),
      ),
      h("td", null, t("kind." + d.kind) || d.kind),
      h("td", { class: "num" }, num(d.rows)),
      h("td", { class: "source" }, d.source),
      h("td", null, when(d.loaded_at)),
      scanCell,
    );
    const showScan = (scan) => showScanState(scan, status, reportSlot);
    if (d.last_scan) {
      showScan({ ...d.last_scan, progress: d.last_scan.state === "succeeded" ? 1 : null });
      if (d.last_scan.state === "queued" || d.last_scan.state === "running") {
        follow(d.last_scan.id, showScan);
      }
    } else {
      status.textContent = t("datasets.noscan");
    }
    if (canWrite()) tr.append(h("td", { class: "actions" }, actions(d, showScan)));
    return tr;
  }

  function actions(d, showScan) {
    const policy = h(
      "select",
      { testid: "scan-policy", id: `policy-${d.name}` },
      h("option", { value: "" }, t("scan.policy.default")),
      POLICIES.map((p) => h("option", { value: p }, p)),
    );
    const start = h("button", { type: "button", testid: "scan-start" }, t("scan.start"));
    start.addEventListener("click", async () => {
      start.disabled = true;
      try {
        const body = policy.value ? { policy: policy.value } : {};
        const scan = await api.post(`/v1/datasets/${api.seg(d.name)}/scans`, body);
        showScan(scan);
        follow(scan.id, showScan);
      } catch (e) {
        message.textContent = errorText(e);
      } finally {
        start.disabled = false;
      }
    });
    const del = h("button", { type: "button", class: "danger", testid: "dataset-delete" }, t("datasets.delete"));
    const confirmBox = h("span", { class: "confirm", hidden: true });
    del.addEventListener("click", () => {
      del.hidden = true;
      clear(confirmBox).append(
        h("span", { role: "alert" }, t("datasets.delete.confirm", { name: d.name }), " "),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            testid: "dataset-delete-confirm",
            on: {
              click: async () => {
                try {
                  await api.del(`/v1/datasets/${api.seg(d.name)}`);
                  forgetTrees();
                  message.textContent = t("datasets.deleted", { name: d.name });
                  load();
                } catch (e) {
                  message.textContent = errorText(e);
                }
              },
            },
          },
          t("datasets.delete.yes"),
        ),
        " ",
        h(
          "button",
          {
            type: "button",
            testid: "dataset-delete-cancel",
            on: {
              click: () => {
                confirmBox.hidden = true;
                del.hidden = false;
                del.focus();
              },
            },
          },
          t("common.cancel"),
        ),
      );
      confirmBox.hidden = false;
      confirmBox.querySelector("button").focus();
    });
    return h(
      "div",
      { class: "row-actions" },
      h("label", { for: policy.id, class: "visually-hidden" }, t("scan.policy")),
      policy,
      start,
      del,
      confirmBox,
    );
  }

  function follow(scanId, showScan) {
    const already = polls.has(scanId);
    polls.set(scanId, showScan);
    if (already) return;
    const tick = async () => {
      if (!ctx.alive() || !polls.has(scanId)) return;
      let scan;
      try {
        scan = await api.get(`/v1/scans/${api.seg(scanId)}`);
      } catch (e) {
        polls.delete(scanId);
        if (ctx.alive()) message.textContent = errorText(e);
        return;
      }
      if (!ctx.alive() || !polls.has(scanId)) return;
      polls.get(scanId)(scan);
      if (scan.state === "queued" || scan.state === "running") {
        const id = setTimeout(() => {
          timers.delete(id);
          tick();
        }, POLL_MS);
        timers.add(id);
      } else {
        polls.delete(scanId);
      }
    };
    tick();
  }

  load();
}

function showScanState(scan, status, reportSlot) {
  const state = t("scan.state." + scan.state);
  if (scan.state === "failed") {
    status.textContent = t("scan.failed", { message: scan.error ? scan.error.message : "" });
  } else if (scan.state === "succeeded") {
    status.textContent = `${state} · ${when(scan.finished_at || scan.created_at)}`;
  } else if (typeof scan.progress === "number") {
    status.textContent = t("scan.status", {
      state,
      phase: scan.phase || "",
      pct: num(Math.round(scan.progress * 100)),
    });
  } else {
    status.textContent = state;
  }
  status.dataset.state = scan.state;
  clear(reportSlot);
  if (scan.state === "succeeded") {
    reportSlot.append(
      h(
        "a",
        { href: `/v1/scans/${api.seg(scan.id)}/report.html`, testid: "report-link", target: "_blank", rel: "noopener" },
        t("scan.report"),
      ),
    );
  }
}

// --- upload -------------------------------------------------------------------------

function uploadForm(ctx, reload, pageMessage) {
  const name = h("input", {
    type: "text",
    testid: "upload-name",
    name: "dataset",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    maxlength: "100",
    pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]{0,99}",
  });
  const file = h("input", { type: "file", testid: "upload-file", name: "file", required: true, multiple: true });
  const kind = h(
    "select",
    { testid: "upload-kind" },
    h("option", { value: "" }, t("upload.kind.auto")),
    h("option", { value: "members" }, t("kind.members")),
    h("option", { value: "edges" }, t("kind.edges")),
  );
  const mode = h(
    "select",
    { testid: "upload-mode" },
    h("option", { value: "replace" }, t("upload.mode.replace")),
    h("option", { value: "append" }, t("upload.mode.append")),
  );
  const submit = h("button", { type: "submit", testid: "upload-submit" }, t("upload.submit"));
  const progress = h("progress", { testid: "upload-progress", max: "1", value: "0", hidden: true });
  const progressId = "upload-progress-bar";
  progress.id = progressId;
  const status = h("p", { class: "upload-status", role: "status", "aria-live": "polite" });
  const errors = h("div", { class: "upload-errors error", testid: "upload-errors", role: "alert", hidden: true });

  const nameField = field(t("upload.name"), name, t("upload.name.hint"));
  const form = h(
    "form",
    { class: "upload card", testid: "upload-form" },
    h("h2", null, t("upload.title")),
    h("p", { class: "hint" }, t("upload.intro")),
    h(
      "div",
      { class: "grid" },
      nameField.wrap,
      field(t("upload.file"), file).wrap,
      field(t("upload.kind"), kind).wrap,
      field(t("upload.mode"), mode).wrap,
    ),
    h("div", { class: "submit-row" }, submit, h("label", { for: progressId, class: "visually-hidden" }, t("upload.progress")), progress),
    status,
    errors,
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.hidden = true;
    clear(errors);
    const ds = name.value.trim();
    if (!NAME_RE.test(ds)) {
      status.textContent = t("upload.noname");
      name.focus();
      return;
    }
    if (!file.files || file.files.length === 0) {
      status.textContent = t("upload.nofile");
      file.focus();
      return;
    }
    submit.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = t("upload.sending", { pct: num(0) });
    let created = false;
    try {
      // a new name: create the dataset first (an existing one is loaded into)
      const exists = await datasetExists(ds);
      if (!exists) {
        await api.post("/v1/datasets", { name: ds, kind: kind.value === "edges" ? "edges" : "members" });
        created = true;
      }
      const query = { mode: exists ? mode.value : "replace" };
      if (kind.value) query.kind = kind.value;
      const result = await api.upload(
        `/v1/datasets/${api.seg(ds)}/files`,
        Array.from(file.files),
        query,
        (fraction) => {
          if (fraction === null) {
            progress.removeAttribute("value");
            return;
          }
          progress.value = fraction;
          status.textContent =
            fraction >= 1 ? t("upload.parsing") : t("upload.sending", { pct: num(Math.round(fraction * 100)) });
          if (fraction >= 1) progress.removeAttribute("value");
        },
      );
      progress.value = 1;
      forgetTrees();
      status.textContent = t("upload.done", { rows: num(result.rows_added), name: ds });
      pageMessage.textContent = "";
      form.reset();
      reload();
    } catch (e) {
      progress.hidden = true;
      status.textContent = t("upload.failed", { message: errorText(e) });
      if (e.details && e.details.length) {
        errors.append(
          h("h3", null, t("upload.errors")),
          h("ul", null, e.details.slice(0, 200).map((d) => h("li", { testid: "upload-error" }, detailText(d)))),
        );
      } else {
        errors.append(h("p", null, errorText(e)));
      }
      errors.hidden = false;
      if (created) {
        // all or nothing: do not leave the empty dataset this upload created
        try {
          await api.del(`/v1/datasets/${api.seg(ds)}`);
        } catch {
          /* left for the user to delete */
        }
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// Whether the tenant has a dataset of this name, from the list (asking for the
// dataset itself would answer 404 for a new name, which the browser logs as an error).
async function datasetExists(name) {
  let offset = 0;
  for (;;) {
    const p = await api.get("/v1/datasets", { limit: 1000, offset });
    if (p.items.some((d) => d.name === name)) return true;
    if (p.next_offset === null || p.next_offset === undefined) return false;
    offset = p.next_offset;
  }
}
