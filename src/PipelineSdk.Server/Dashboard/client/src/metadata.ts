// Logged metadata (StepContext.Current.LogMetadata) for people: numbers, strings, links, lists and tables.
import { h } from "./dom";

const WebLink = /^https?:\/\/\S+$/;

interface MetadataTable { columns: unknown[]; rows: unknown[][] }

/** A metadata JSON object as a key–value table, or null when nothing was logged. */
export function metadataTable(json: string | null | undefined, className = "metadata"): HTMLElement | null {
  const entries = Object.entries(parseObject(json));
  if (entries.length === 0) return null;
  return h("table", { class: `kv ${className}` }, entries.map(([key, value]) =>
    h("tr", { "data-key": key }, h("th", {}, key), h("td", {}, metadataValue(value)))));
}

/** One logged value: a link for a web address, a grid for a table, a list joined, a number as logged. */
export function metadataValue(value: unknown): Node {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  if (typeof value === "string") {
    return WebLink.test(value) ? h("a", { href: value, target: "_blank", rel: "noopener noreferrer" }, value) : h("span", {}, value);
  }
  if (typeof value === "number" || typeof value === "boolean") return h("span", { class: "value" }, String(value));
  if (isTable(value)) {
    return h("table", { class: "grid metadata-table" },
      h("thead", {}, h("tr", {}, value.columns.map((c) => h("th", {}, String(c))))),
      h("tbody", {}, value.rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell === null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell)))))));
  }
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) return h("span", { class: "value" }, value.map(String).join(", "));
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

/** A value in one line (a comparison cell, a version's row): tables and lists summarized. */
export function metadataText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (isTable(value)) return `(table ${value.rows.length}×${value.columns.length})`;
  if (Array.isArray(value)) return `(list of ${value.length})`;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A JSON object's properties; anything else (or malformed JSON) has none. */
export function parseObject(json: string | null | undefined): Record<string, unknown> {
  try {
    const parsed = JSON.parse(json ?? "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function isTable(value: unknown): value is MetadataTable {
  return value !== null && typeof value === "object" && Array.isArray((value as MetadataTable).columns) && Array.isArray((value as MetadataTable).rows);
}
