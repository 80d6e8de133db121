import { ApiError, signIn, type Session } from "../api";
import { h, replace } from "../dom";

/** The sign-in form: an API token (`pipelines server token create NAME --role read`) becomes a session cookie. */
export function showLogin(app: HTMLElement, expired: boolean, signedIn: (session: Session, go: boolean) => void): void {
  const token = h("input", { type: "password", name: "token", id: "token", autocomplete: "off", placeholder: "psdk_…", required: true });
  const message = h("p", { class: "error", role: "alert" }, expired ? "That sign-in link was used already or has expired: run `pipelines dashboard` again, or sign in with an API token." : "");
  const form = h("form", { class: "login" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an API token of this server. Make one with ", h("code", {}, "pipelines server token create NAME --role read"), "."),
    h("label", { for: "token" }, "API token"), token,
    h("button", { type: "submit" }, "Sign in"), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      signedIn(await signIn(token.value), true);
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : String(error);
    }
  });
  replace(app, form);
  token.focus();
}
