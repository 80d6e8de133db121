import { type RunMetrics } from "../api";
import { h, replace } from "../dom";

/** The run's metrics side by side in the panel: a row per metrics artifact (task and output), a column per logged value. */
export function showMetrics(panel: HTMLElement, metrics: RunMetrics[], selectStep: (taskKey: string) => void, close: () => void): void {
  const rows = [...metrics]
    .sort((a, b) => a.taskKey.localeCompare(b.taskKey, "en", { numeric: true }) || a.outputName.localeCompare(b.outputName))
    .map((m) => ({ metrics: m, values: numbers(m.metadataJson) }));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.values)))].sort();
  replace(panel,
    h("button", { type: "button", class: "close", onclick: close, "aria-label": "close" }, "×"),
    h("h2", {}, "Metrics"),
    h("p", { class: "muted" }, `${rows.length} metrics artifact${rows.length === 1 ? "" : "s"} of this run, side by side.`),
    h("table", { class: "grid run-metrics" },
      h("thead", {}, h("tr", {}, h("th", {}, "Step"), columns.map((c) => h("th", {}, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("td", {},
          h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); selectStep(r.metrics.taskKey); } }, r.metrics.taskKey),
          r.metrics.outputName === "Metrics" ? null : h("span", { class: "muted" }, ` ${r.metrics.outputName}`), " ",
          h("a", { href: `#/artifacts/${r.metrics.artifactId}`, class: "muted", title: "the artifact" }, "↗")),
        columns.map((c) => h("td", { class: "number" }, c in r.values ? format(r.values[c]) : "—")))))));
}

function numbers(json: string): Record<string, number> {
  try {
    const parsed = JSON.parse(json);
    return Object.fromEntries(Object.entries(parsed ?? {}).filter(([, v]) => typeof v === "number")) as Record<string, number>;
  } catch {
    return {};
  }
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
