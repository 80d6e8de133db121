import { get, type Schedule } from "../api";
import { h, replace } from "../dom";
import { when } from "../format";

/** The recorded schedules: what runs when, on which orchestrator, and whether it is active. */
export function showSchedules(app: HTMLElement): () => void {
  replace(app, h("p", {}, "Loading…"));
  void get<Schedule[]>("/api/v1/schedules").then((schedules) => replace(app, h("section", {},
    h("h1", {}, "Schedules"),
    schedules.length === 0 ? h("p", { class: "empty" }, "No schedules. Make one with ", h("code", {}, "pipelines schedule create"), ".") :
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ["Schedule", "Pipeline", "Cron", "State", "Orchestrator", "Stack", "Parameters", "Created"].map((c) => h("th", {}, c)))),
        h("tbody", {}, schedules.map((schedule) => h("tr", {},
          h("td", {}, schedule.remoteUrl ? h("a", { href: schedule.remoteUrl, target: "_blank", rel: "noopener noreferrer" }, schedule.displayName) : schedule.displayName),
          h("td", {}, schedule.pipeline), h("td", {}, h("code", {}, schedule.cron)), h("td", {}, schedule.state),
          h("td", {}, schedule.orchestrator), h("td", {}, schedule.stack ?? ""), h("td", {}, h("code", {}, schedule.parametersJson)),
          h("td", {}, when(schedule.createdAt))))))))).catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}
