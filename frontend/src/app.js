// Shared app state and navigation helpers (no view imports: views import this).
import { seg, queryString } from "./api.js";

export const state = {
  session: null, // {key_id, role, tenant, csrf_token, expires_at}
  notice: null, // a message for the sign-in view
  cleanups: [],
  route: null,
  firstRender: true,
  reroute: () => {},
};

export const session = () => state.session;
export const canWrite = () => state.session !== null && state.session.role === "analyst";
export const canRead = () =>
  state.session !== null && (state.session.role === "analyst" || state.session.role === "auditor");

/** Go to a hash route (`#/...`); the same one again re-renders it. */
export function go(hash) {
  if (location.hash === hash) state.reroute();
  else location.hash = hash;
}

export const link = {
  datasets: () => "#/datasets",
  networks: (ds, query) => `#/datasets/${seg(ds)}/networks${queryString(query)}`,
  network: (ds, root, focus) =>
    `#/datasets/${seg(ds)}/networks/${seg(root)}${focus ? "?focus=" + seg(focus) : ""}`,
  agent: (ds, id) => `#/datasets/${seg(ds)}/agents/${seg(id)}`,
  // query: {prefix, limit, offset}
  search: (ds, query) => `#/datasets/${seg(ds)}/search${queryString(query)}`,
  guardrail: (ds, upline) =>
    `#/datasets/${seg(ds)}/guardrail${upline ? "?upline=" + seg(upline) : ""}`,
  // query: {tab, agent, network, limit, offset}
  evidence: (ds, query) => `#/datasets/${seg(ds)}/evidence${queryString(query)}`,
};

/** Where a plain GET link downloads one network (by: "network", id: its root) or one
 * agent's downline (by: "downline") as a file; the session cookie signs it. */
export const exportUrl = (ds, by, id, format) =>
  `/v1/datasets/${seg(ds)}/export${queryString({ format, [by]: id })}`;
