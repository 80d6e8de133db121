import { enc, get, type RunMetrics, type RunRecord, type StepRun } from "../api";
import { buildGraph, collapsedByDefault, groupKey, instancesOf, type Graph, type Instance } from "../dag/graph";
import { layout } from "../dag/layout";
import { groupsAround, readSpec, splitTaskKey, treeFromSteps, type PipelineTree } from "../dag/spec";
import { DagView } from "../dag/view";
import { h, replace } from "../dom";
import { watch } from "../events";
import { between, when } from "../format";
import { metadataTable, metadataText, parseObject } from "../metadata";
import { showMetrics } from "./metrics";
import { showStep } from "./step";

/** A run: its facts, its DAG (groups collapsible, searchable, pan and zoom), the selected step's panel and its metrics side by side; live while it runs. */
export function showRun(app: HTMLElement, runId: string, params: URLSearchParams): () => void {
  const header = h("div", { class: "run-header" }, "Loading…");
  const canvas = h("div", { class: "canvas" });
  const panel = h("aside", { class: "panel", hidden: true });
  const search = h("input", { type: "search", placeholder: "Find a step…", "aria-label": "find a step", class: "search" });
  const found = h("span", { class: "found-count" });
  const metricsButton = h("button", { type: "button", class: "metrics-button", hidden: true, onclick: () => openMetrics() }, "Metrics");
  const toolbar = h("div", { class: "toolbar" }, search, found,
    h("button", { type: "button", onclick: () => view.zoom(1.25) , title: "zoom in" }, "+"),
    h("button", { type: "button", onclick: () => view.zoom(0.8), title: "zoom out" }, "−"),
    h("button", { type: "button", onclick: () => view.fit() }, "Fit"),
    h("button", { type: "button", onclick: () => setAll(false) }, "Expand all"),
    h("button", { type: "button", onclick: () => setAll(true) }, "Collapse all"),
    metricsButton,
    legend());
  replace(app, h("section", { class: "run-page" }, header, toolbar, h("div", { class: "run-body" }, canvas, panel)));

  let tree: PipelineTree | null = null;
  let run: RunRecord | null = null;
  let steps: StepRun[] = [];
  let graph: Graph | null = null;
  let selected: string | null = params.get("step");
  const collapsed = new Map<string, boolean>();
  const view = new DagView({
    select: (node) => select(node.instance!),
    toggle: (key) => {
      collapsed.set(key, !isCollapsed(key));
      draw(true);
    },
  });
  canvas.append(view.element);

  const stepCount = () => steps.length;
  const templateOfKey = new Map<string, ReturnType<PipelineTree["byPath"]["get"]>>();
  const isCollapsed = (key: string) => {
    if (collapsed.has(key)) return collapsed.get(key)!;
    const template = templateOfKey.get(splitTaskKey(key).path);
    return template ? collapsedByDefault(template, stepCount()) : false;
  };

  const draw = (fit: boolean) => {
    if (!tree) return;
    const instances = instancesOf(tree, steps);
    graph = buildGraph(tree, instances, (template, key) => {
      templateOfKey.set(template.path, template);
      return isCollapsed(key);
    });
    view.draw(graph, layout(graph), fit, selected ? `step:${selected}` : null);
  };

  const setAll = (value: boolean) => {
    if (!tree) return;
    for (const instance of instancesOf(tree, steps)) {
      let loops = 0;
      for (const group of groupsAround(instance.template)) {
        collapsed.set(groupKey(group, instance.indices.slice(0, loops)), value);
        if (group.kind === "loop") loops++;
      }
    }
    draw(true);
  };

  const select = (instance: Instance) => {
    selected = instance.key;
    history.replaceState(null, "", `#/runs/${enc(runId)}?step=${enc(instance.key)}`);
    panel.hidden = false;
    if (run && tree) showStep(panel, run, tree, instance, () => {
      panel.hidden = true;
      selected = null;
      draw(false);
    });
    draw(false);
  };

  let metrics: RunMetrics[] = [];
  const openMetrics = () => {
    selected = null;
    history.replaceState(null, "", `#/runs/${enc(runId)}`);
    panel.hidden = false;
    showMetrics(panel, metrics, (taskKey) => {
      const instance = graph?.instances.find((i) => i.key === taskKey);
      if (instance) {
        revealGroups(instance);
        select(instance);
      }
    }, () => {
      panel.hidden = true;
    });
    draw(false);
  };
  const loadMetrics = async () => {
    metrics = await get<RunMetrics[]>(`/api/v1/runs/${enc(runId)}/metrics`);
    metricsButton.hidden = metrics.length === 0;
    metricsButton.textContent = `Metrics (${metrics.length})`;
  };

  // Opens the groups around an instance so its node is drawn.
  const revealGroups = (instance: Instance) => {
    let loops = 0;
    for (const group of groupsAround(instance.template)) {
      collapsed.set(groupKey(group, instance.indices.slice(0, loops)), false);
      if (group.kind === "loop") loops++;
    }
  };

  const find = () => {
    const text = search.value.trim().toLowerCase();
    if (!text || !tree) {
      found.textContent = "";
      return;
    }
    const matches = instancesOf(tree, steps).filter((i) => i.key.toLowerCase().includes(text) || i.template.label.toLowerCase().includes(text));
    found.textContent = `${matches.length} found`;
    if (matches.length === 0) return;
    // Open the groups around the first match, then centre it.
    const first = matches[0];
    revealGroups(first);
    draw(false);
    view.focus(`step:${first.key}`);
  };
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") find();
  });
  search.addEventListener("search", find);

  const load = async (first: boolean) => {
    const [runRecord, stepRuns] = await Promise.all([get<RunRecord>(`/api/v1/runs/${enc(runId)}`), get<StepRun[]>(`/api/v1/runs/${enc(runId)}/steps`)]);
    // Metrics are read when the page opens and when the run ends, not on every step change of a running run.
    if (first || (run?.status === "Running" && runRecord.status !== "Running")) void loadMetrics().catch(() => {});
    run = runRecord;
    steps = stepRuns;
    if (first) {
      try {
        const spec = await get<{ spec: string }>(`/api/v1/runs/${enc(runId)}/spec`);
        tree = readSpec(JSON.parse(spec.spec));
      } catch {
        tree = treeFromSteps(steps.map((s) => ({ path: splitTaskKey(s.taskKey).path, dependsOn: s.dependsOn })));
      }
    }
    drawHeader(header, run, steps);
    draw(first);
    if (first && selected) {
      const instance = graph?.instances.find((i) => i.key === selected);
      if (instance) select(instance);
    }
  };
  void load(true).catch((e) => replace(header, h("p", { class: "error" }, String(e.message ?? e))));
  const stop = watch(runId, () => void load(false));
  const resize = () => view.fit();
  window.addEventListener("resize", resize);
  return () => {
    stop();
    window.removeEventListener("resize", resize);
  };
}

function drawHeader(header: HTMLElement, run: RunRecord, steps: StepRun[]): void {
  const count = (status: string) => steps.filter((s) => s.status === status).length;
  let parameters: Record<string, unknown> = {};
  try {
    parameters = JSON.parse(run.parametersJson);
  } catch {
    // Shown as recorded below.
  }
  const metadata = parseObject(run.metadataJson);
  replace(header,
    h("div", { class: "title-row" },
      h("h1", {}, run.pipeline),
      h("span", { class: `badge run-${run.status.toLowerCase()}` }, run.status.toLowerCase()),
      h("a", { href: "#/runs", class: "back" }, "all runs")),
    h("dl", { class: "facts" },
      fact("Run", run.id, "id"), fact("Started", when(run.startedAt)), fact("Duration", between(run.startedAt, run.endedAt)),
      fact("Stack", run.stack ?? "—"), fact("Orchestrator", run.orchestrator),
      fact("Owner", run.owner ? `${run.owner.user}@${run.owner.host}` : "—"),
      fact("Steps", `${count("Completed")} ran · ${count("Cached")} cached · ${count("Failed") + count("Crashed")} failed · ${count("NotTriggered")} not triggered · ${count("NotRun")} not run`),
      fact("Parameters", Object.entries(parameters).length === 0 ? "—"
        : Object.entries(parameters).flatMap(([k, v], i) => [i > 0 ? " " : "", h("span", { class: "parameter" }, `${k}=${JSON.stringify(v)}`)])),
      fact("Experiment", run.experiment ? [h("a", { href: `#/experiments/${enc(run.experiment)}`, class: "experiment" }, run.experiment)] : "—"),
      fact("Metadata", Object.entries(metadata).length === 0 ? "—"
        : Object.entries(metadata).flatMap(([k, v], i) => [i > 0 ? " " : "", h("span", { class: "parameter run-metadata", "data-key": k }, `${k}=${metadataText(v)}`)]))),
    // Tables and lists are summarized in the facts: the whole of them is a click away.
    Object.values(metadata).some((v) => v !== null && typeof v === "object")
      ? h("details", { class: "run-metadata-details" }, h("summary", {}, "Run metadata in full"), metadataTable(run.metadataJson)) : null,
    run.error ? h("pre", { class: "error" }, run.error) : null,
    run.remoteUrl ? h("p", {}, h("a", { href: run.remoteUrl, target: "_blank", rel: "noopener noreferrer" }, "Open in the orchestrator's console")) : null);
}

// Values wrap between words; only an id (one long word) may break anywhere.
function fact(name: string, value: string | (Node | string)[], kind: "id" | "text" = "text"): HTMLElement[] {
  return [h("dt", {}, name), h("dd", { class: kind === "id" ? "id" : null }, value)];
}

function legend(): HTMLElement {
  return h("span", { class: "legend" }, ["ran", "cached", "failed", "running", "not-triggered", "skipped", "pending"].map((look) =>
    h("span", { class: `key look-${look}` }, look.replace("-", " "))));
}
