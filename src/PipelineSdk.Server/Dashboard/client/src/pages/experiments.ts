import { enc, get, type ComparedSection, type Comparison, type Experiment, type RunPage, type RunSummary } from "../api";
import { h, replace } from "../dom";
import { between, when } from "../format";
import { metadataText } from "../metadata";

const MostRuns = 200;
const MostCompared = 20;
const PreselectedRuns = 3;
const SectionTitles: Record<ComparedSection, string> = { parameter: "Parameters", metadata: "Run metadata", metric: "Metrics", step: "Steps" };

/** The experiments: how many runs each has, of which pipelines, and when it was last used. */
export function showExperiments(app: HTMLElement): () => void {
  replace(app, h("p", {}, "Loading…"));
  void get<Experiment[]>("/api/v1/experiments").then((experiments) => replace(app, h("section", {},
    h("h1", {}, "Experiments"),
    experiments.length === 0
      ? h("p", { class: "empty" }, "No experiments yet: give a pipeline one with ", h("code", {}, '[Pipeline(Experiment = "NAME")]'), " or run it with ",
        h("code", {}, "--experiment NAME"), ".")
      : h("table", { class: "grid experiments" },
        h("thead", {}, h("tr", {}, ["Experiment", "Runs", "Pipelines", "First run", "Last run"].map((c) => h("th", {}, c)))),
        h("tbody", {}, experiments.map((experiment) => h("tr", { "data-experiment": experiment.name },
          h("td", {}, h("a", { href: `#/experiments/${enc(experiment.name)}` }, experiment.name)),
          h("td", { class: "number" }, String(experiment.runs)),
          h("td", {}, experiment.pipelines.join(", ")),
          h("td", {}, when(experiment.firstRunAt)), h("td", {}, when(experiment.lastRunAt)))))))))
    .catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

/**
 * An experiment: its runs, newest first, each with a box to tick, and the ticked runs side by side below (parameters, run
 * metadata, metrics, how each step ended), the rows where they differ highlighted — what `pipelines experiments compare` shows.
 */
export function showExperiment(app: HTMLElement, name: string, params: URLSearchParams): () => void {
  const runsBox = h("div", {}, "Loading…");
  const comparisonBox = h("div", { class: "comparison" });
  replace(app, h("section", { class: "experiment-page" },
    h("div", { class: "title-row" }, h("h1", {}, name), h("a", { href: `#/runs?experiment=${enc(name)}` }, "its runs in the run list"),
      h("a", { href: "#/experiments" }, "all experiments")),
    runsBox, h("h2", {}, "Side by side"), comparisonBox));

  void get<RunPage>(`/api/v1/run-summaries?${new URLSearchParams({ experiment: name, limit: String(MostRuns) })}`).then((page) => {
    if (page.runs.length === 0) {
      replace(runsBox, h("p", { class: "empty" }, `Experiment '${name}' has no runs.`));
      replace(comparisonBox);
      return;
    }
    const asked = params.getAll("run").filter((id) => page.runs.some((r) => r.id === id));
    const selected = new Set(asked.length > 0 ? asked : page.runs.slice(0, PreselectedRuns).map((r) => r.id));
    const compare = () => {
      // Columns keep the run list's order (newest first), whatever order the boxes were ticked in.
      const ids = page.runs.filter((r) => selected.has(r.id)).map((r) => r.id);
      history.replaceState(null, "", `#/experiments/${enc(name)}?${new URLSearchParams(ids.map((id) => ["run", id]))}`);
      void showComparison(comparisonBox, ids);
    };
    replace(runsBox, runTable(page.runs, selected, compare));
    compare();
  }).catch((e) => replace(runsBox, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

function runTable(runs: RunSummary[], selected: Set<string>, changed: () => void): HTMLElement {
  return h("table", { class: "grid experiment-runs" },
    h("thead", {}, h("tr", {}, ["Compare", "Status", "Run", "Pipeline", "Started", "Duration", "Parameters"].map((c) => h("th", {}, c)))),
    h("tbody", {}, runs.map((run) => h("tr", { "data-run": run.id },
      h("td", {}, h("input", {
        type: "checkbox", "aria-label": `compare ${run.id}`, checked: selected.has(run.id), onchange: (e: Event) => {
          if ((e.target as HTMLInputElement).checked) selected.add(run.id);
          else selected.delete(run.id);
          changed();
        },
      })),
      h("td", {}, h("span", { class: `badge run-${run.status.toLowerCase()}` }, run.status.toLowerCase())),
      h("td", {}, h("a", { href: `#/runs/${enc(run.id)}` }, run.id)),
      h("td", {}, run.pipeline), h("td", {}, when(run.startedAt)), h("td", {}, between(run.startedAt, run.endedAt)),
      h("td", {}, h("code", {}, run.parametersJson))))));
}

async function showComparison(box: HTMLElement, ids: string[]): Promise<void> {
  if (ids.length < 2) {
    replace(box, h("p", { class: "muted" }, "Tick two runs or more to see them side by side."));
    return;
  }
  if (ids.length > MostCompared) {
    replace(box, h("p", { class: "muted" }, `Tick at most ${MostCompared} runs to compare.`));
    return;
  }
  replace(box, h("p", { class: "muted" }, "Loading…"));
  let comparison: Comparison;
  try {
    comparison = await get<Comparison>(`/api/v1/run-comparison?${new URLSearchParams(ids.map((id) => ["run", id]))}`);
  } catch (e) {
    replace(box, h("p", { class: "error" }, String((e as Error).message ?? e)));
    return;
  }
  const differing = comparison.rows.filter((r) => r.differs).length;
  const table = h("table", { class: "grid compare" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), comparison.runs.map((run) => h("th", { "data-run": run.id },
      h("a", { href: `#/runs/${enc(run.id)}` }, run.id), h("div", { class: "muted" }, `${run.pipeline} · ${when(run.startedAt)}`),
      h("span", { class: `badge run-${run.status.toLowerCase()}` }, run.status.toLowerCase()))))),
    h("tbody", {}, (Object.keys(SectionTitles) as ComparedSection[]).flatMap((section) => {
      const rows = comparison.rows.filter((r) => r.section === section);
      return rows.length === 0 ? [] : [
        h("tr", { class: "section" }, h("th", { colspan: comparison.runs.length + 1 }, SectionTitles[section])),
        ...rows.map((row) => h("tr", { class: row.differs ? "row differs" : "row", "data-section": row.section, "data-key": row.key },
          h("th", {}, row.key),
          row.values.map((value) => h("td", { class: value === null ? "missing" : null }, metadataText(value))))),
      ];
    })));
  const onlyDifferences = h("input", { type: "checkbox", onchange: () => table.classList.toggle("only-differences", onlyDifferences.checked) });
  replace(box,
    h("p", { class: "compare-summary" }, `${comparison.runs.length} runs, ${differing} of ${comparison.rows.length} rows differ (highlighted). `,
      h("label", {}, onlyDifferences, " only the differences")),
    table);
}
