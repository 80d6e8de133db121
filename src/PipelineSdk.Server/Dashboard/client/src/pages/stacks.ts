import { get, type Overview, type Stack } from "../api";
import { h, replace } from "../dom";

const SecretReference = /^\{\{secret\.[^}]+\}\}$/;

/** The stacks and their components with their settings; a setting that references a secret shows the reference only. */
export function showStacks(app: HTMLElement): () => void {
  replace(app, h("p", {}, "Loading…"));
  void Promise.all([get<Stack[]>("/api/v1/stacks"), get<Overview>("/api/v1/overview")]).then(([stacks, overview]) => {
    replace(app, h("section", {},
      h("h1", {}, "Stacks"),
      h("table", { class: "grid stacks" },
        h("thead", {}, h("tr", {}, ["Stack", "Active", "Orchestrator", "Artifact store", "Other components"].map((c) => h("th", {}, c)))),
        h("tbody", {}, stacks.map((stack) => {
          const of = (type: string) => stack.components.find((c) => c.type === type);
          const other = stack.components.filter((c) => c.type !== "orchestrator" && c.type !== "artifact-store");
          return h("tr", { "data-stack": stack.name },
            h("td", {}, stack.name), h("td", {}, stack.name === overview.activeStack ? "● active" : ""),
            h("td", {}, describe(of("orchestrator"))), h("td", {}, describe(of("artifact-store"))),
            h("td", {}, other.map((c) => `${c.type}: ${c.name} (${c.flavor})`).join(", ")));
        }))),
      h("h2", {}, "Components"),
      stacks.flatMap((stack) => stack.components).filter((c, i, all) => all.findIndex((o) => o.type === c.type && o.name === c.name) === i).map((component) =>
        h("div", { class: "component" },
          h("h3", {}, `${component.type} ${component.name}`, h("span", { class: "muted" }, ` (${component.flavor})`)),
          Object.keys(component.settings).length === 0 ? h("p", { class: "muted" }, "no settings") :
            h("table", { class: "kv" }, Object.entries(component.settings).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) =>
              h("tr", {}, h("th", {}, key), h("td", {}, SecretReference.test(value) ? h("span", { class: "secret" }, `secret reference ${value}`) : value))))))));
  }).catch((e) => replace(app, h("p", { class: "error" }, String(e.message ?? e))));
  return () => {};
}

function describe(component: Stack["components"][number] | undefined): string {
  return component ? `${component.name} (${component.flavor})` : "—";
}
