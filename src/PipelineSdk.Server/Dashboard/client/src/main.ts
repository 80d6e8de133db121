import "./style.css";
import { get, signOut, useSession, type Session } from "./api";
import { h, replace } from "./dom";
import { showLogin } from "./pages/login";
import { showRuns } from "./pages/runs";
import { showRun } from "./pages/run";
import { showArtifact } from "./pages/artifact";
import { showStacks } from "./pages/stacks";
import { showSchedules } from "./pages/schedules";
import { showExperiment, showExperiments } from "./pages/experiments";
import { showModel, showModels } from "./pages/models";

const app = document.getElementById("app")!;
const who = document.getElementById("who")!;
let session: Session | null = null;
/** Stops what the current page keeps running (event streams, timers). */
let leave: () => void = () => {};

/** What a page gives back: how to stop it. */
export type Page = () => void;

async function route(): Promise<void> {
  leave();
  leave = () => {};
  const [path, query] = (location.hash.slice(1) || "/runs").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query ?? "");
  if (parts[0] === "login") {
    showLogin(app, params.has("expired"), signedIn);
    return;
  }
  if (!session) {
    try {
      session = await get<Session>("/api/v1/session");
      signedIn(session, false);
    } catch {
      location.hash = "#/login";
      return;
    }
  }
  document.querySelectorAll<HTMLAnchorElement>("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === parts[0]));
  try {
    switch (parts[0]) {
      case "runs":
        leave = parts[1] ? showRun(app, parts[1], params) : showRuns(app, params);
        break;
      case "artifacts":
        leave = showArtifact(app, Number(parts[1]));
        break;
      case "experiments":
        leave = parts[1] ? showExperiment(app, parts[1], params) : showExperiments(app);
        break;
      case "models":
        leave = parts[1] ? showModel(app, parts[1]) : showModels(app);
        break;
      case "stacks":
        leave = showStacks(app);
        break;
      case "schedules":
        leave = showSchedules(app);
        break;
      default:
        location.hash = "#/runs";
    }
  } catch (e) {
    replace(app, h("p", { class: "error" }, String(e)));
  }
}

function signedIn(value: Session, go: boolean): void {
  session = value;
  useSession(value, () => {
    session = null;
    location.hash = "#/login";
  });
  replace(who, `${value.name} (${value.role}) `, h("button", {
    class: "link", type: "button", onclick: async () => {
      await signOut();
      session = null;
      replace(who);
      location.hash = "#/login";
    },
  }, "Sign out"));
  if (go) location.hash = "#/runs";
}

window.addEventListener("hashchange", () => void route());
void route();
