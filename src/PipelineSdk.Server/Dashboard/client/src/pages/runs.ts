import { enc, get, type RunPage, type RunSummary } from "../api";
import { h, replace } from "../dom";
import { watch } from "../events";
import { between, when } from "../format";

const PageSize = 25;

/** The run list: newest first, filtered by pipeline, status, stack, experiment and date, paged, refreshed live. */
export function showRuns(app: HTMLElement, params: URLSearchParams): () => void {
  const filters = {
    pipeline: params.get("pipeline") ?? "",
    status: params.get("status") ?? "",
    stack: params.get("stack") ?? "",
    experiment: params.get("experiment") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
  const offset = Number(params.get("offset") ?? "0") || 0;
  const table = h("div", { class: "runs-table" });
  const form = h("form", { class: "filters" });
  const pager = h("div", { class: "pager" });
  const live = h("span", { class: "live", title: "updates as runs change" }, "● live");
  replace(app, h("section", {}, h("div", { class: "title-row" }, h("h1", {}, "Runs"), live), form, table, pager));

  const load = async () => {
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), offset: String(offset), limit: String(PageSize) });
    const page = await get<RunPage>(`/api/v1/run-summaries?${query}`);
    drawFilters(form, page, filters);
    drawTable(table, page.runs);
    drawPager(pager, page, filters, offset);
  };
  void load().catch((e) => replace(table, h("p", { class: "error" }, String(e.message ?? e))));
  const stop = watch(null, () => void load());
  return stop;
}

function drawFilters(form: HTMLFormElement, page: RunPage, filters: Record<string, string>): void {
  const select = (name: string, label: string, options: string[]) =>
    h("label", {}, label, h("select", { name }, h("option", { value: "" }, "all"),
      options.map((o) => h("option", { value: o, selected: filters[name] === o }, o))));
  const date = (name: string, label: string) => h("label", {}, label, h("input", { type: "date", name, value: filters[name] }));
  replace(form,
    select("pipeline", "Pipeline", page.pipelines),
    select("status", "Status", ["Running", "Completed", "Failed", "Cancelled", "Crashed"]),
    select("stack", "Stack", page.stacks),
    select("experiment", "Experiment", page.experiments),
    date("from", "From"), date("to", "To"));
  form.onchange = () => {
    const data = new FormData(form);
    const query = new URLSearchParams();
    for (const [key, value] of data.entries()) if (value) query.set(key, String(value));
    location.hash = `#/runs?${query}`;
  };
}

function drawTable(table: HTMLElement, runs: RunSummary[]): void {
  if (runs.length === 0) {
    replace(table, h("p", { class: "empty" }, "No runs match. Run a pipeline (e.g. ", h("code", {}, "dotnet run"), " in an example) and it appears here."));
    return;
  }
  replace(table, h("table", { class: "grid" },
    h("thead", {}, h("tr", {}, ["Status", "Run", "Pipeline", "Experiment", "Started", "Duration", "Stack", "Orchestrator", "Owner", "Steps"].map((c) => h("th", {}, c)))),
    h("tbody", {}, runs.map((run) => h("tr", { "data-run": run.id },
      h("td", {}, h("span", { class: `badge run-${run.status.toLowerCase()}` }, run.status.toLowerCase())),
      h("td", {}, h("a", { href: `#/runs/${enc(run.id)}` }, run.id)),
      h("td", {}, run.pipeline),
      h("td", { class: "experiment" }, run.experiment ? h("a", { href: `#/experiments/${enc(run.experiment)}` }, run.experiment) : ""),
      h("td", {}, when(run.startedAt)),
      h("td", {}, between(run.startedAt, run.endedAt)),
      h("td", {}, run.stack ?? ""),
      h("td", {}, run.orchestrator),
      h("td", {}, run.owner ?? ""),
      h("td", { class: "counts" }, `${run.ran} ran · ${run.cached} cached${run.failed ? ` · ${run.failed} failed` : ""}${run.running ? ` · ${run.running} running` : ""}`))))));
}

function drawPager(pager: HTMLElement, page: RunPage, filters: Record<string, string>, offset: number): void {
  const link = (to: number, text: string) => {
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), offset: String(to) });
    return h("a", { href: `#/runs?${query}` }, text);
  };
  replace(pager,
    offset > 0 ? link(Math.max(0, offset - PageSize), "← newer") : null,
    h("span", {}, page.total === 0 ? "" : `${offset + 1}–${Math.min(page.total, offset + PageSize)} of ${page.total}`),
    offset + PageSize < page.total ? link(offset + PageSize, "older →") : null);
}
