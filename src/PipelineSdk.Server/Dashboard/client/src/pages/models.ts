import { enc, get, type ArtifactVersion, type ModelStage, type ModelSummary, type StageChange } from "../api";
import { h, replace } from "../dom";
import { when } from "../format";
import { metadataText, parseObject } from "../metadata";

/** The models (named Model artifacts): newest version and the versions in production and staging. Read-only: promotion is `pipelines model promote`. */
export function showModels(app: HTMLElement): () => void {
  replace(app, h("p", {}, "Loading…"));
  void get<ModelSummary[]>("/api/v1/models").then((models) => replace(app, h("section", {},
    h("h1", {}, "Models"),
    models.length === 0
      ? h("p", { class: "empty" }, "No models yet: name a step's Model output with ", h("code", {}, '[return: Artifact("name")]'), " and run the pipeline.")
      : h("table", { class: "grid models" },
        h("thead", {}, h("tr", {}, ["Model", "Latest", "Production", "Staging", "Versions", "Updated"].map((c) => h("th", {}, c)))),
        h("tbody", {}, models.map((model) => h("tr", { "data-model": model.name },
          h("td", {}, h("a", { href: `#/models/${enc(model.name)}` }, model.name)),
          h("td", { class: "latest" }, `v${model.latestVersion}`),
          h("td", { class: "production" }, model.production === null ? "—" : `v${model.production}`),
          h("td", { class: "staging" }, model.staging === null ? "—" : `v${model.staging}`),
          h("td", { class: "number" }, String(model.versions)),
          h("td", {}, when(model.updatedAt)))))))))
    .catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

/** A model: its versions (stage, tags, the run that made it, logged values such as accuracy) and who changed which stage when. */
export function showModel(app: HTMLElement, name: string): () => void {
  replace(app, h("p", {}, "Loading…"));
  void Promise.all([
    get<ArtifactVersion[]>(`/api/v1/artifact-names/${enc(name)}/versions`),
    get<StageChange[]>(`/api/v1/artifact-names/${enc(name)}/stage-changes`),
  ]).then(([versions, changes]) => {
    const title = h("div", { class: "title-row" }, h("h1", {}, name), h("a", { href: "#/models" }, "all models"));
    if (versions.length === 0) {
      replace(app, h("section", {}, title, h("p", { class: "empty" }, `There is no model '${name}'.`)));
      return;
    }
    // The logged values worth a column: the scalar ones (accuracy, trainer …), in the order first seen.
    const keys = [...new Set(versions.flatMap((v) => Object.entries(parseObject(v.artifact.metadataJson))
      .filter(([, value]) => value === null || typeof value !== "object").map(([key]) => key)))];
    replace(app, h("section", { class: "model-page" }, title,
      h("p", { class: "muted" }, "Promote a version with ", h("code", {}, `pipelines model promote ${name} VERSION --stage production`), "."),
      h("h2", {}, "Versions"),
      h("table", { class: "grid model-versions" },
        h("thead", {}, h("tr", {}, ["Version", "Stage", "Tags", "Run", "Created", ...keys, "Artifact"].map((c) => h("th", {}, c)))),
        h("tbody", {}, versions.map((version) => {
          const metadata = parseObject(version.artifact.metadataJson);
          return h("tr", { "data-version": version.version },
            h("td", {}, `v${version.version}`), h("td", {}, stageBadge(version.stage)),
            h("td", {}, version.tags.flatMap((tag) => [h("span", { class: "badge tag" }, tag), " "])),
            h("td", {}, h("a", { href: `#/runs/${enc(version.runId)}` }, version.runId)),
            h("td", {}, when(version.createdAt)),
            keys.map((key) => h("td", { class: "number", "data-key": key }, key in metadata ? metadataText(metadata[key]) : "—")),
            h("td", {}, h("a", { href: `#/artifacts/${version.artifact.id}` }, `artifact ${version.artifact.id}`)));
        }))),
      h("h2", {}, "Stage changes"),
      changes.length === 0 ? h("p", { class: "muted" }, "No version has been promoted.") :
        h("table", { class: "grid stage-changes" },
          h("thead", {}, h("tr", {}, ["When", "Version", "From", "To", "By"].map((c) => h("th", {}, c)))),
          // Newest first, as the versions are.
          h("tbody", {}, [...changes].reverse().map((change) => h("tr", {},
            h("td", {}, when(change.changedAt)), h("td", {}, `v${change.version}`),
            h("td", {}, stageBadge(change.from)), h("td", {}, stageBadge(change.to)), h("td", { class: "changed-by" }, change.changedBy)))))));
  }).catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

/** A model stage as a coloured badge. */
export function stageBadge(stage: ModelStage): HTMLElement {
  return h("span", { class: `badge stage stage-${stage.toLowerCase()}` }, stage.toLowerCase());
}
