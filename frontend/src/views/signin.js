import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import { heading } from "./common.js";

export function renderSignin(view, ctx, { notice, onSignedIn }) {
  const input = h("input", {
    type: "password",
    id: "signin-key",
    name: "key",
    testid: "signin-key",
    autocomplete: "current-password",
    spellcheck: "false",
    required: true,
  });
  const error = h("p", { class: "error", role: "alert", testid: "signin-error", hidden: !notice });
  if (notice) error.textContent = notice;
  const submit = h("button", { type: "submit", testid: "signin-submit" }, t("signin.submit"));
  const form = h(
    "form",
    { class: "signin card" },
    h("div", { class: "field" }, h("label", { for: input.id }, t("signin.key")), input),
    error,
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = t("signin.required");
      error.hidden = false;
      input.focus();
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      const sess = await api.signIn(key);
      input.value = "";
      onSignedIn(sess);
    } catch (e) {
      error.textContent = e.status === 401 ? t("signin.bad") : e.message || t("error.network");
      error.hidden = false;
      input.select();
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  view.append(
    h("section", { class: "signin-wrap" }, heading(t("signin.title")), h("p", null, t("signin.intro")), form),
  );
  input.focus();
}
