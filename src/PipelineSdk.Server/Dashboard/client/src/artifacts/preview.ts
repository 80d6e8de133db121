// Typed previews of artifacts: metrics as a table, classification metrics as a confusion matrix and ROC curve, HTML and
// Markdown in sandboxed frames (an opaque origin without scripts), JSON pretty, images, CSV and Parquet as paged grids
// (Parquet pages read by the server), else facts.

import { marked } from "marked";
import { content as readContent, get, type Artifact, type TablePage } from "../api";
import { h, replace, s } from "../dom";
import { bytes } from "../format";

const PreviewBytes = 1024 * 1024;
const GridPage = 50;
const ParameterTypes = /^(NUMBER_INTEGER|NUMBER_DOUBLE|STRING|BOOLEAN|LIST|STRUCT)$/;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A parameter artifact's value as text, when it is small enough to show inline. */
export async function inlineValue(artifact: Artifact, content: typeof readContent): Promise<string | null> {
  if (!ParameterTypes.test(artifact.kfpType) || artifact.size > 512) return null;
  try {
    const text = new TextDecoder().decode(await content(artifact.id, 512));
    return text.length > 80 ? text.slice(0, 79) + "…" : text;
  } catch {
    return null;
  }
}

/** Draws the preview of an artifact into <paramref>target</paramref>. */
export async function preview(target: HTMLElement, artifact: Artifact): Promise<void> {
  const metadata = parse(artifact.metadataJson) ?? {};
  switch (artifact.kfpType) {
    case "system.Metrics":
      replace(target, metricsTable(metadata));
      return;
    case "system.ClassificationMetrics":
      replace(target, confusionMatrix(metadata), rocCurve(metadata));
      return;
    case "system.HTML":
      replace(target, h("iframe", { class: "sandboxed", sandbox: "", referrerpolicy: "no-referrer", title: "HTML artifact", src: `/api/v1/artifacts/${artifact.id}/html` }));
      return;
  }
  let data: Uint8Array;
  try {
    data = await readContent(artifact.id, PreviewBytes);
  } catch (e) {
    replace(target, h("p", { class: "muted" }, (e as Error).message), download(artifact, false));
    return;
  }
  const partial = data.length < artifact.size;
  if (artifact.kfpType === "system.Markdown") {
    const html = await marked.parse(new TextDecoder().decode(data), { async: true });
    replace(target, h("iframe", { class: "sandboxed markdown", sandbox: "", referrerpolicy: "no-referrer", title: "Markdown artifact", srcdoc: `<!doctype html><meta charset="utf-8"><style>body{font:14px system-ui,sans-serif;margin:12px}</style>${html}` }));
    return;
  }
  if (isParquet(data)) {
    const first = await get<TablePage>(`/api/v1/artifacts/${artifact.id}/table?offset=0&limit=${GridPage}`)
      .catch((e: Error) => h("p", { class: "muted" }, e.message));
    replace(target, first instanceof Node ? [first, download(artifact, true)] : grid(first.columns, first.total, "Parquet",
      async (offset) => offset === 0 ? first.rows : (await get<TablePage>(`/api/v1/artifacts/${artifact.id}/table?offset=${offset}&limit=${GridPage}`)).rows));
    return;
  }
  const image = imageType(data);
  if (image) {
    const url = URL.createObjectURL(new Blob([data as BlobPart], { type: image }));
    replace(target, h("img", { class: "image", src: url, alt: `${artifact.outputName} (${image})` }));
    return;
  }
  const text = decode(data);
  if (text === null) {
    replace(target, download(artifact, true));
    return;
  }
  const json = partial ? undefined : parse(text);
  if (json !== undefined && json !== null) {
    replace(target, h("pre", { class: "json" }, JSON.stringify(json, null, 2)));
    return;
  }
  const table = csv(text, partial);
  if (table) {
    const [head, ...body] = table;
    replace(target, grid(head, body.length, partial ? "CSV, first 1 MiB" : "CSV", async (offset) => body.slice(offset, offset + GridPage), partial));
    return;
  }
  replace(target, h("pre", { class: "text" }, text + (partial ? "\n…" : "")));
}

function metricsTable(metadata: Json): Node {
  const entries = Object.entries(metadata).filter(([, v]) => typeof v === "number");
  return entries.length === 0 ? h("p", { class: "muted" }, "no metrics logged")
    : h("table", { class: "grid metrics" }, h("thead", {}, h("tr", {}, h("th", {}, "Metric"), h("th", {}, "Value"))),
      h("tbody", {}, entries.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", { class: "number" }, String(v))))));
}

function confusionMatrix(metadata: Json): Node {
  const matrix = metadata.confusionMatrix;
  if (!matrix?.rows) return h("p", { class: "muted" }, "no confusion matrix logged");
  const labels: string[] = (matrix.annotationSpecs ?? []).map((a: Json) => String(a.displayName));
  const rows: number[][] = matrix.rows.map((r: Json) => r.row as number[]);
  const most = Math.max(1, ...rows.flat());
  return h("figure", { class: "confusion" },
    h("figcaption", {}, "Confusion matrix (rows: actual, columns: predicted)"),
    h("table", { class: "grid confusion-matrix" },
      h("thead", {}, h("tr", {}, h("th", {}, "actual \\ predicted"), labels.map((l) => h("th", {}, l)))),
      h("tbody", {}, rows.map((row, i) => h("tr", {}, h("th", {}, labels[i] ?? String(i)),
        row.map((count) => h("td", { class: "number", style: `background: rgba(37, 99, 235, ${(0.08 + 0.8 * count / most).toFixed(2)}); color: ${count / most > 0.5 ? "white" : "inherit"}` }, String(count))))))));
}

function rocCurve(metadata: Json): Node | null {
  const points: { x: number; y: number }[] = (metadata.confidenceMetrics ?? [])
    .map((p: Json) => ({ x: Number(p.falsePositiveRate), y: Number(p.recall) }))
    .filter((p: { x: number; y: number }) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a: { x: number }, b: { x: number }) => a.x - b.x);
  if (points.length === 0) return null;
  const size = 240;
  const pad = 32;
  const x = (v: number) => pad + v * size;
  const y = (v: number) => pad + (1 - v) * size;
  const path = points.map((p, i) => `${i ? "L" : "M"} ${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`).join(" ");
  return h("figure", { class: "roc" }, h("figcaption", {}, "ROC curve"),
    s("svg", { width: size + pad * 2, height: size + pad * 2, class: "roc-chart", role: "img", "aria-label": "ROC curve" },
      s("rect", { x: pad, y: pad, width: size, height: size, class: "frame" }),
      s("line", { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: "diagonal" }),
      s("path", { d: path, class: "curve" }),
      points.map((p) => s("circle", { cx: x(p.x), cy: y(p.y), r: 3, class: "point" })),
      s("text", { x: pad + size / 2, y: size + pad * 2 - 6, "text-anchor": "middle" }, "false positive rate"),
      s("text", { x: 12, y: pad + size / 2, transform: `rotate(-90 12 ${pad + size / 2})`, "text-anchor": "middle" }, "true positive rate")));
}

function download(artifact: Artifact, binary: boolean): Node {
  return h("div", { class: "download" },
    h("p", {}, binary ? "Binary content: " : "", `${bytes(artifact.size)}, sha256 `, h("code", {}, artifact.contentHash)),
    h("a", { href: `/api/v1/artifacts/${artifact.id}/content`, download: `${artifact.outputName}-${artifact.id}` }, "Download"));
}

function imageType(data: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && data[8] === 0x57 && data[9] === 0x45) return "image/webp";
  return null;
}

function decode(data: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    // A cut in the middle of a character at the preview's end is not binary.
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(0, Math.max(0, data.length - 3)));
    } catch {
      return null;
    }
  }
}

function parse(text: string): Json | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Rows of a comma- or tab-separated text whose lines have the same number of fields (quotes respected). */
function csv(text: string, partial: boolean): string[][] | null {
  const lines = text.split(/\r?\n/);
  if (partial) lines.pop();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (lines.length < 2) return null;
  const separator = lines[0].includes("\t") ? "\t" : ",";
  const rows = lines.map((line) => split(line, separator));
  const width = rows[0].length;
  return width > 1 && rows.every((r) => r.length === width) ? rows : null;
}

function split(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

function isParquet(data: Uint8Array): boolean {
  return data.length >= 8 && [0x50, 0x41, 0x52, 0x31].every((b, i) => data[i] === b);
}

/** A paged grid of <paramref>total</paramref> rows; <paramref>rows</paramref> gives the page starting at an offset. */
function grid(head: string[], total: number, kind: string, rows: (offset: number) => Promise<(string | null)[][]>, more = false): Node {
  const container = h("div", { class: "csv table-preview", "data-kind": kind });
  const pages = Math.max(1, Math.ceil(total / GridPage));
  const draw = async (page: number) => {
    const body = await rows(page * GridPage);
    replace(container,
      h("table", { class: "grid" }, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
        h("tbody", {}, body.map((r) => h("tr", {}, r.map((c) => c === null ? h("td", { class: "muted" }, "null") : h("td", {}, c)))))),
      h("div", { class: "pager" },
        page > 0 ? h("button", { type: "button", onclick: () => void draw(page - 1) }, "← previous") : null,
        h("span", {}, `rows ${page * GridPage + 1}–${Math.min(total, (page + 1) * GridPage)} of ${total}${more ? "+" : ""} (${kind})`),
        page < pages - 1 ? h("button", { type: "button", onclick: () => void draw(page + 1) }, "next →") : null));
  };
  void draw(0).catch((e: Error) => replace(container, h("p", { class: "muted" }, e.message)));
  return container;
}
