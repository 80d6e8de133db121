import { get, type ScheduleSummary } from "../api";
import { h, replace } from "../dom";
import { when } from "../format";

/** The recorded schedules: what runs when, on which orchestrator, whether it is active and when it fires next. */
export function showSchedules(app: HTMLElement): () => void {
  replace(app, h("p", {}, "Loading…"));
  void get<ScheduleSummary[]>("/api/v1/schedule-summaries").then((summaries) => replace(app, h("section", {},
    h("h1", {}, "Schedules"),
    summaries.length === 0 ? h("p", { class: "empty" }, "No schedules. Make one with ", h("code", {}, "pipelines schedule create"), ".") :
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ["Schedule", "Pipeline", "Cron", "Next run", "State", "Orchestrator", "Stack", "Parameters", "Created"].map((c) => h("th", {}, c)))),
        h("tbody", {}, summaries.map(({ schedule, timeZone, nextFireAt, notFiring }) => h("tr", { "data-schedule": schedule.id },
          h("td", {}, schedule.remoteUrl ? h("a", { href: schedule.remoteUrl, target: "_blank", rel: "noopener noreferrer" }, schedule.displayName) : schedule.displayName),
          h("td", {}, schedule.pipeline), h("td", {}, h("code", {}, schedule.cron)),
          nextFireAt
            ? h("td", { class: "next-fire", "data-next": nextFireAt, title: `${nextFireAt} (cron read in ${timeZone})` }, when(nextFireAt), h("div", { class: "muted" }, `cron in ${timeZone}`))
            : h("td", { class: "next-fire muted" }, notFiring ?? ""),
          h("td", {}, schedule.state),
          h("td", {}, schedule.orchestrator), h("td", {}, schedule.stack ?? ""), h("td", {}, h("code", {}, schedule.parametersJson)),
          h("td", {}, when(schedule.createdAt))))))))).catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}
