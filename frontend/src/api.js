// The API client: same-origin fetch with the session cookie, the CSRF header on
// every non-GET request, and the one error shape {"error": {code, message, details}}.

let csrfToken = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

/** Called when a signed-in request answers 401 (the session ended). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function headersFor(method, extra) {
  const headers = { Accept: "application/json", ...extra };
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  return headers;
}

export function errorFrom(status, body) {
  const e = body && typeof body === "object" && body.error;
  if (e && typeof e === "object") {
    return new ApiError(status, e.code || "error", e.message || String(status), e.details);
  }
  return new ApiError(status, "http_" + status, `HTTP ${status}`, []);
}

async function readBody(res) {
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * One request. `path` is absolute ("/v1/..."); `query` an object (arrays repeat,
 * null/undefined/"" left out); `body` sent as JSON. Resolves to the parsed body;
 * rejects with ApiError. `quiet401` skips the session-ended handler.
 */
export async function request(method, path, { query, body, quiet401 = false } = {}) {
  const url = path + queryString(query);
  const init = { method, credentials: "same-origin", headers: headersFor(method) };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, "network", "network error", []);
  }
  const data = await readBody(res);
  if (!res.ok) {
    if (res.status === 401 && !quiet401) {
      hint(false);
      onUnauthorized();
    }
    throw errorFrom(res.status, data);
  }
  return data;
}

export function queryString(query) {
  if (!query) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, String(item));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? "?" + s : "";
}

export const get = (path, query, opts) => request("GET", path, { query, ...opts });
export const post = (path, body, query) => request("POST", path, { body, query });
export const del = (path) => request("DELETE", path);

/** Path segment escaping for dataset names and agent ids. */
export const seg = (s) => encodeURIComponent(s);

// --- session -----------------------------------------------------------------

// A hint (not a secret) that this browser signed in: without it the page does not
// ask GET /ui/session on load, whose 401 for a signed-out browser the console would
// log as an error. The session itself is the HttpOnly cookie, which JS cannot see.
const HINT = "agentgraph.signed-in";

function hint(on) {
  try {
    if (on) localStorage.setItem(HINT, "1");
    else localStorage.removeItem(HINT);
  } catch {
    /* storage refused: the page then always asks */
  }
}

function hinted() {
  try {
    return localStorage.getItem(HINT) !== null;
  } catch {
    return true;
  }
}

export function forgetSession() {
  hint(false);
}

export async function currentSession() {
  if (!hinted()) return null;
  try {
    const s = await get("/ui/session", undefined, { quiet401: true });
    if (!s || !s.csrf_token) {
      hint(false);
      return null;
    }
    return s;
  } catch (e) {
    if (e.status === 401) {
      hint(false);
      return null;
    }
    throw e;
  }
}

export async function signIn(key) {
  const s = await request("POST", "/ui/session", { body: { key }, quiet401: true });
  hint(true);
  return s;
}

export async function signOut() {
  hint(false);
  return request("DELETE", "/ui/session", { quiet401: true });
}

// --- upload with progress ------------------------------------------------------

/**
 * POST files as multipart/form-data ("file" parts) with XMLHttpRequest so the
 * upload's progress can be shown. onProgress(fraction 0..1 or null when unknown).
 */
export function upload(path, files, query, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path + queryString(query));
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (ev) => {
      onProgress(ev.lengthComputable ? ev.loaded / ev.total : null);
    });
    xhr.upload.addEventListener("load", () => onProgress(1));
    xhr.addEventListener("load", () => {
      const data = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        if (xhr.status === 401) {
          hint(false);
          onUnauthorized();
        }
        reject(errorFrom(xhr.status, data));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "network error", [])));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "aborted", "aborted", [])));
    const form = new FormData();
    for (const f of files) form.append("file", f, f.name);
    xhr.send(form);
  });
}
