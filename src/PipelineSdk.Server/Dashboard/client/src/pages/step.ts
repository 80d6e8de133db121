import { content, get, text, type Artifact, type CacheExplanation, type RunRecord, type StepAttempt, type StepInput, type StepRun } from "../api";
import type { Instance } from "../dag/graph";
import { lookOf } from "../dag/graph";
import { groupsAround, sourcesOf, type PipelineTree } from "../dag/spec";
import { h, replace } from "../dom";
import { between, bytes, when } from "../format";
import { inlineValue } from "../artifacts/preview";
import { metadataTable } from "../metadata";

const LogLimit = 256 * 1024;

/** The step panel: status, duration, attempts and their errors, logged metadata, cache decision and why, inputs and outputs with values and artifact links, settings, error, log. */
export function showStep(panel: HTMLElement, run: RunRecord, tree: PipelineTree, instance: Instance, close: () => void): void {
  const step = instance.step;
  const look = lookOf(step?.status);
  const closeButton = h("button", { type: "button", class: "close", onclick: close, "aria-label": "close" }, "×");
  const sections = h("div", {});
  replace(panel, closeButton,
    h("h2", {}, instance.template.label, instance.indices.map((i) => `[${i}]`).join("")),
    h("p", {}, h("span", { class: `badge look-${look}` }, look.replace("-", " ")), " ", h("code", {}, instance.key)),
    sections);
  if (!step) {
    replace(sections, h("p", {}, "This step has not started."));
    return;
  }
  const facts = h("dl", { class: "facts" },
    [["Step", step.stepName], ["Started", when(step.startedAt)], ["Ended", when(step.endedAt)], ["Duration", between(step.startedAt, step.endedAt)],
      ["Cache", step.cacheEnabled === false ? "off for this step" : step.cacheKey ? `key ${step.cacheKey.slice(0, 16)}…` : "not looked up"]]
      .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")]));
  const attempts = h("div", { class: "attempts" });
  const cache = h("div", { class: "cache" }, "…");
  const inputs = h("div", {}, "…");
  const outputs = h("div", {}, "…");
  const log = h("pre", { class: "log" }, "…");
  replace(sections, facts,
    step.error ? [h("h3", {}, step.status === "Failed" || step.status === "Crashed" ? "Error" : "Why it did not run"), h("pre", { class: "error" }, step.error)] : null,
    attempts,
    step.metadataJson !== "{}" ? [h("h3", {}, "Metadata"), metadataTable(step.metadataJson, "metadata step-metadata")] : null,
    h("h3", {}, "Cache decision"), cache,
    h("h3", {}, "Inputs"), inputs,
    h("h3", {}, "Outputs"), outputs,
    h("h3", {}, "Settings"), settings(instance),
    h("h3", {}, "Log"), log);

  void get<StepAttempt[]>(`/api/v1/step-runs/${step.id}/attempts`).then((records) => replace(attempts, attemptTable(step, records)))
    .catch((e) => replace(attempts, h("p", { class: "muted" }, e.message)));

  void get<CacheExplanation>(`/api/v1/step-runs/${step.id}/explain-cache`).then((explanation) => replace(cache,
    h("p", { class: `decision decision-${explanation.decision.toLowerCase()}` }, h("strong", {}, explanation.decision), " — ", explanation.summary),
    explanation.changes.length ? h("ul", {}, explanation.changes.map((c) => h("li", {}, c.description))) : null,
    explanation.comparedWithRun ? h("p", {}, "Compared with ", h("a", { href: `#/runs/${encodeURIComponent(explanation.comparedWithRun)}` }, explanation.comparedWithRun), ".") : null))
    .catch((e) => replace(cache, h("p", { class: "muted" }, e.message)));

  void get<StepInput[]>(`/api/v1/step-runs/${step.id}/inputs`).then((records) => {
    const names = [...new Set([...records.map((r) => r.inputName), ...Object.keys(instance.template.inputs)])].sort();
    replace(inputs, names.length === 0 ? h("p", { class: "muted" }, "none") : h("table", { class: "kv" }, names.map((name) => {
      const record = records.find((r) => r.inputName === name);
      return h("tr", {}, h("th", {}, name), h("td", {}, inputValue(run, tree, instance, name, record)));
    })));
  }).catch((e) => replace(inputs, h("p", { class: "muted" }, e.message)));

  void get<Record<string, Artifact>>(`/api/v1/step-runs/${step.id}/outputs`).then((records) => {
    const names = Object.keys(records).sort();
    replace(outputs, names.length === 0 ? h("p", { class: "muted" }, step.cachedFrom ? "reused from the cache" : "none") : h("table", { class: "kv" }, names.map((name) =>
      h("tr", {}, h("th", {}, name), h("td", {}, artifactCell(records[name]))))));
  }).catch((e) => replace(outputs, h("p", { class: "muted" }, e.message)));

  if (step.status === "Running") followLog(step.id, log, panel);
  else void text(`/api/v1/step-runs/${step.id}/log`)
    .then((body) => {
      log.textContent = body.length > LogLimit ? `… (${bytes(body.length - LogLimit)} earlier)\n${body.slice(-LogLimit)}` : body || "(empty)";
    })
    .catch((e) => {
      log.textContent = e.message;
      log.classList.add("muted");
    });
}

// A running step's log, as the server streams it while the file grows; it stops when the step ends or the panel closes.
function followLog(stepId: number, log: HTMLElement, panel: HTMLElement): void {
  const source = new EventSource(`/api/v1/step-runs/${stepId}/log/stream`);
  let earlier = 0;
  let body = "";
  const show = () => {
    const cut = Math.max(0, body.length - LogLimit);
    earlier += cut;
    body = body.slice(cut);
    log.textContent = earlier > 0 ? `… (${bytes(earlier)} earlier)\n${body}` : body || "(empty so far)";
    log.scrollTop = log.scrollHeight;
  };
  const stillShown = () => {
    if (log.isConnected && !panel.hidden) return true;
    source.close();
    return false;
  };
  source.addEventListener("skipped", (e) => {
    if (!stillShown()) return;
    earlier = Number((e as MessageEvent<string>).data);
    body = "";
    show();
  });
  source.addEventListener("append", (e) => {
    if (!stillShown()) return;
    body += (e as MessageEvent<string>).data;
    show();
  });
  source.addEventListener("end", () => {
    source.close();
    log.dataset.ended = "";
  });
  source.onerror = () => {
    // A refused stream (no log yet, signed out) is not retried; a dropped one reconnects and starts again.
    if (source.readyState === EventSource.CLOSED && !log.textContent?.trim().replace("…", "")) {
      log.textContent = "no log yet (the step's process has not written one)";
      log.classList.add("muted");
    }
  };
}

// Shown once a step took more than one attempt (or is retrying): each attempt, how it ended and its error.
function attemptTable(step: StepRun, records: StepAttempt[]): Node | null {
  const retrying = step.status === "Running" && records.length > 0;
  if (records.length < 2 && !retrying) return null;
  return h("div", {}, h("h3", {}, `Attempts (${records.length + (retrying ? 1 : 0)})`),
    h("table", { class: "grid attempts" },
      h("thead", {}, h("tr", {}, ["#", "Started", "Duration", "Outcome", "Error"].map((c) => h("th", {}, c)))),
      h("tbody", {},
        records.map((a) => h("tr", { class: `attempt-${a.outcome.toLowerCase()}` },
          h("td", {}, String(a.number)), h("td", { title: when(a.startedAt), class: "time" }, when(a.startedAt).slice(11)), h("td", {}, between(a.startedAt, a.endedAt)),
          h("td", {}, a.outcome.toLowerCase()), h("td", {}, a.error ? h("code", { class: "error" }, a.error) : "—"))),
        retrying ? h("tr", { class: "attempt-running" }, h("td", {}, String(records.length + 1)), h("td", {}, "—"), h("td", {}, "—"), h("td", {}, "running"), h("td", {}, "—")) : null)));
}

function inputValue(run: RunRecord, tree: PipelineTree, instance: Instance, name: string, record: StepInput | undefined): Node {
  if (record?.artifactId) {
    const cell = h("span", {}, h("a", { href: `#/artifacts/${record.artifactId}` }, `artifact ${record.artifactId}`));
    void get<Artifact>(`/api/v1/artifacts/${record.artifactId}`).then((artifact) => replace(cell, artifactCell(artifact))).catch(() => {});
    return cell;
  }
  for (const source of sourcesOf(tree, instance.template, name)) {
    if (source.kind === "constant") return h("code", {}, JSON.stringify(source.value));
    if (source.kind === "parameter") {
      try {
        const parameters = JSON.parse(run.parametersJson);
        if (source.name in parameters) return h("span", {}, h("code", {}, JSON.stringify(parameters[source.name])), h("span", { class: "muted" }, ` (parameter ${source.name})`));
      } catch {
        // Fall through to the default.
      }
      return h("span", { class: "muted" }, `parameter ${source.name} (default)`);
    }
    if (source.kind === "item") {
      const loops = groupsAround(instance.template).filter((g) => g.kind === "loop");
      const index = instance.indices[loops.indexOf(source.loop)];
      const raw = source.loop.task?.parameterIterator?.items?.raw;
      if (raw && index !== undefined) {
        try {
          return h("span", {}, h("code", {}, JSON.stringify(JSON.parse(raw)[index])), h("span", { class: "muted" }, ` (loop item ${index})`));
        } catch {
          // Not a JSON list: say what it is.
        }
      }
      return h("span", { class: "muted" }, `loop item ${index ?? ""}`);
    }
    if (source.kind === "status") return h("span", { class: "muted" }, `final status of ${source.producer.label}`);
  }
  return h("span", { class: "muted" }, record ? `${record.source} (sha256 ${record.contentHash.slice(0, 12)}…)` : "—");
}

/** An artifact in a table cell: its value when it is a small parameter, else its type and size, with a link. */
export function artifactCell(artifact: Artifact): Node {
  const value = h("span", { class: "value" });
  void inlineValue(artifact, content).then((v) => {
    if (v !== null) value.textContent = v;
  });
  return h("span", {}, value, " ", h("a", { href: `#/artifacts/${artifact.id}` }, `${artifact.kfpType} · ${bytes(artifact.size)}`));
}

function settings(instance: Instance): Node {
  const task = instance.template.task ?? {};
  const rows: [string, string][] = [];
  if (task.cachingOptions) rows.push(["caching", task.cachingOptions.enableCache === false ? "disabled" : task.cachingOptions.enableCache ? "enabled" : "default"]);
  if (task.retryPolicy) rows.push(["retries", JSON.stringify(task.retryPolicy)]);
  if (task.triggerPolicy?.strategy) rows.push(["trigger", task.triggerPolicy.strategy]);
  const condition = groupsAround(instance.template).filter((g) => g.kind === "condition").map((g) => g.detail).join(" and ");
  if (condition) rows.push(["runs if", condition]);
  return rows.length === 0 ? h("p", { class: "muted" }, "defaults") : h("table", { class: "kv" }, rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))));
}

