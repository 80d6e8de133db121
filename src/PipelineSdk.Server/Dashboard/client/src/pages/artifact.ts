import { enc, get, type Artifact, type StepRun } from "../api";
import { preview } from "../artifacts/preview";
import { h, replace } from "../dom";
import { bytes, prettyJson, when } from "../format";

/** An artifact: its facts, a typed preview, and its lineage (the step that produced it, the step runs that consumed it). */
export function showArtifact(app: HTMLElement, id: number): () => void {
  replace(app, h("p", {}, "Loading…"));
  void (async () => {
    const artifact = await get<Artifact>(`/api/v1/artifacts/${id}`);
    const [producer, consumers] = await Promise.all([
      get<StepRun>(`/api/v1/step-runs/${artifact.producerStepRunId}`).catch(() => null),
      get<StepRun[]>(`/api/v1/artifacts/${id}/consumers`).catch(() => [] as StepRun[]),
    ]);
    const previewBox = h("div", { class: "preview" }, "Loading the preview…");
    const stepLink = (step: StepRun) => h("a", { href: `#/runs/${enc(step.runId)}?step=${enc(step.taskKey)}` }, `${step.taskKey} in ${step.runId}`);
    replace(app, h("section", { class: "artifact-page" },
      h("div", { class: "title-row" }, h("h1", {}, `${artifact.outputName}`), h("span", { class: "badge" }, artifact.kfpType)),
      h("dl", { class: "facts" },
        [["Id", String(artifact.id)], ["Type", `${artifact.kfpType} (${artifact.valueType})`], ["Size", bytes(artifact.size)],
          ["SHA-256", artifact.contentHash], ["Location", artifact.uri]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
        h("dt", {}, "Produced by"), h("dd", {}, producer ? [stepLink(producer), ` at ${when(producer.endedAt ?? producer.startedAt)}`] : `step run ${artifact.producerStepRunId}`)),
      h("h2", {}, "Preview"), previewBox,
      h("h2", {}, "Consumed by"),
      consumers.length === 0 ? h("p", { class: "muted" }, "no step run has used it yet") : h("ul", { class: "consumers" }, consumers.map((c) => h("li", {}, stepLink(c)))),
      artifact.metadataJson !== "{}" ? h("details", {}, h("summary", {}, "Metadata"), h("pre", { class: "json" }, prettyJson(artifact.metadataJson))) : null,
      h("p", {}, h("a", { href: `/api/v1/artifacts/${id}/content`, download: `${artifact.outputName}-${id}` }, "Download the content"))));
    await preview(previewBox, artifact);
  })().catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}
