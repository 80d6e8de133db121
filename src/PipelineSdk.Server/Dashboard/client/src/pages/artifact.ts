import { enc, get, type Artifact, type ArtifactVersion, type StepRun } from "../api";
import { preview } from "../artifacts/preview";
import { h, replace } from "../dom";
import { bytes, when } from "../format";
import { metadataTable } from "../metadata";
import { stageBadge } from "./models";

/**
 * An artifact: its facts (and, when it is a version of a named artifact, its name, version, tags and model stage), its logged
 * metadata, a typed preview, and its lineage (the step that produced it, the step runs that consumed it).
 */
export function showArtifact(app: HTMLElement, id: number): () => void {
  replace(app, h("p", {}, "Loading…"));
  void (async () => {
    const artifact = await get<Artifact>(`/api/v1/artifacts/${id}`);
    const [producer, consumers, versions] = await Promise.all([
      get<StepRun>(`/api/v1/step-runs/${artifact.producerStepRunId}`).catch(() => null),
      get<StepRun[]>(`/api/v1/artifacts/${id}/consumers`).catch(() => [] as StepRun[]),
      get<ArtifactVersion[]>(`/api/v1/artifacts/${id}/versions`).catch(() => [] as ArtifactVersion[]),
    ]);
    const metadata = metadataTable(artifact.metadataJson);
    const previewBox = h("div", { class: "preview" }, "Loading the preview…");
    const stepLink = (step: StepRun) => h("a", { href: `#/runs/${enc(step.runId)}?step=${enc(step.taskKey)}` }, `${step.taskKey} in ${step.runId}`);
    replace(app, h("section", { class: "artifact-page" },
      h("div", { class: "title-row" }, h("h1", {}, `${artifact.outputName}`), h("span", { class: "badge" }, artifact.kfpType)),
      h("dl", { class: "facts" },
        [["Id", String(artifact.id)], ["Type", `${artifact.kfpType} (${artifact.valueType})`], ["Size", bytes(artifact.size)],
          ["SHA-256", artifact.contentHash], ["Location", artifact.uri]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
        versions.flatMap(versionFacts),
        h("dt", {}, "Produced by"), h("dd", {}, producer ? [stepLink(producer), ` at ${when(producer.endedAt ?? producer.startedAt)}`] : `step run ${artifact.producerStepRunId}`)),
      metadata ? [h("h2", {}, "Metadata"), metadata] : null,
      h("h2", {}, "Preview"), previewBox,
      h("h2", {}, "Consumed by"),
      consumers.length === 0 ? h("p", { class: "muted" }, "no step run has used it yet") : h("ul", { class: "consumers" }, consumers.map((c) => h("li", {}, stepLink(c)))),
      h("p", {}, h("a", { href: `/api/v1/artifacts/${id}/content`, download: `${artifact.outputName}-${id}` }, "Download the content"))));
    await preview(previewBox, artifact);
  })().catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

// A named version: its name (a model's links to the model's page), number, tags and, for a model, its stage.
function versionFacts(version: ArtifactVersion): HTMLElement[] {
  const isModel = version.artifact.kfpType === "system.Model";
  return [
    h("dt", {}, isModel ? "Model" : "Name"),
    h("dd", { class: "artifact-version" },
      isModel ? h("a", { href: `#/models/${enc(version.name)}` }, version.name) : version.name, ` version ${version.version}`,
      isModel ? [" ", stageBadge(version.stage)] : null,
      version.tags.flatMap((tag) => [" ", h("span", { class: "badge tag" }, tag)])),
  ];
}
