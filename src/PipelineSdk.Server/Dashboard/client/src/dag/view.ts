// Draws a laid-out graph as SVG, with pan (drag), zoom (wheel, buttons) and focus on a node.

import { s } from "../dom";
import { groupKey, type Graph, type GraphNode } from "./graph";
import type { Placed } from "./layout";

export interface ViewEvents {
  select(node: GraphNode): void;
  toggle(groupKey: string): void;
}

export class DagView {
  readonly element: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private scale = 1;
  private x = 0;
  private y = 0;
  private placed: Placed | null = null;
  private readonly nodeElements = new Map<string, SVGGElement>();

  constructor(private readonly events: ViewEvents) {
    this.viewport = s("g", { class: "viewport" });
    this.element = s("svg", { class: "dag", role: "img", "aria-label": "the run's graph" },
      s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))),
      this.viewport);
    this.enablePanAndZoom();
  }

  /** Draws the graph; keeps the current pan and zoom unless <paramref>fit</paramref>. */
  draw(graph: Graph, placed: Placed, fit: boolean, selected: string | null): void {
    this.placed = placed;
    this.nodeElements.clear();
    const clusters = graph.clusters
      .filter((c) => placed.clusters.has(c.id))
      .map((cluster) => {
        const box = placed.clusters.get(cluster.id)!;
        const header = s("text", { x: box.x + 8, y: box.y + 14, class: "cluster-label" }, (cluster.toggle ? "▾ " : "") + cluster.label);
        const g = s("g", { class: `cluster cluster-${cluster.kind}`, "data-cluster": cluster.id },
          s("rect", { x: box.x, y: box.y, width: box.width, height: box.height, rx: 8 }), header);
        if (cluster.toggle) {
          const key = cluster.toggle;
          header.classList.add("toggle");
          header.addEventListener("click", (e) => {
            e.stopPropagation();
            this.events.toggle(key);
          });
        }
        return g;
      });
    const edges = graph.edges.map((edge) => {
      const route = placed.edges.get(`${edge.from}->${edge.to}`);
      if (!route || route.points.length === 0) return null;
      const d = route.points.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
      const label = edge.labels.join(", ");
      return s("g", { class: "edge", "data-from": edge.from, "data-to": edge.to },
        s("path", { d, "marker-end": "url(#arrow)" }),
        route.label && label ? s("text", { x: route.label.x, y: route.label.y + 4, class: "edge-label", "text-anchor": "middle" }, label.length > 26 ? label.slice(0, 25) + "…" : label) : null);
    });
    const nodes = graph.nodes.map((node) => {
      const box = placed.nodes.get(node.id)!;
      const isGroup = node.group !== null;
      const g = s("g", {
        class: `node look-${node.look}${isGroup ? " group" : ""}${node.id === selected ? " selected" : ""}`,
        "data-node": node.id, "data-look": node.look, transform: `translate(${box.x} ${box.y})`, tabindex: 0,
      },
      s("title", {}, `${node.label} — ${node.look.replace("-", " ")}${node.sublabel ? ` (${node.sublabel})` : ""}`),
      s("rect", { width: box.width, height: box.height, rx: isGroup ? 4 : 8 }),
      isGroup ? s("rect", { class: "stack", x: 4, y: 4, width: box.width - 8, height: box.height - 8, rx: 3 }) : null,
      s("text", { x: 10, y: 19, class: "node-label" }, (isGroup ? "▸ " : "") + truncate(node.label, 26)),
      s("text", { x: 10, y: 36, class: "node-sublabel" }, truncate(isGroup ? node.sublabel || node.look.replace("-", " ") : [node.sublabel, node.look.replace("-", " ")].filter(Boolean).join(" · "), 30)));
      g.addEventListener("click", (e) => {
        e.stopPropagation();
        if (node.group) this.events.toggle(groupKey(node.group.template, node.group.prefix));
        else this.events.select(node);
      });
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter") g.dispatchEvent(new MouseEvent("click"));
      });
      this.nodeElements.set(node.id, g);
      return g;
    });
    this.viewport.replaceChildren(...clusters, ...edges.filter((e): e is SVGGElement => e !== null), ...nodes);
    if (fit) this.fit();
    else this.apply();
  }

  /** Shows the whole graph (never magnified beyond 1:1). */
  fit(): void {
    if (!this.placed) return;
    const { width, height } = this.element.getBoundingClientRect();
    if (!width || !height) return;
    this.scale = Math.min(1, width / Math.max(1, this.placed.width), height / Math.max(1, this.placed.height));
    this.scale = Math.max(this.scale, 0.05);
    this.x = (width - this.placed.width * this.scale) / 2;
    this.y = Math.max(0, (height - this.placed.height * this.scale) / 2);
    this.apply();
  }

  /** Centres a node at a readable size and marks it. */
  focus(nodeId: string): void {
    const box = this.placed?.nodes.get(nodeId);
    if (!box) return;
    const { width, height } = this.element.getBoundingClientRect();
    this.scale = Math.max(this.scale, 0.8);
    this.x = width / 2 - (box.x + box.width / 2) * this.scale;
    this.y = height / 2 - (box.y + box.height / 2) * this.scale;
    this.apply();
    for (const element of this.nodeElements.values()) element.classList.remove("found");
    this.nodeElements.get(nodeId)?.classList.add("found");
  }

  zoom(factor: number, at?: { x: number; y: number }): void {
    const rect = this.element.getBoundingClientRect();
    const cx = at?.x ?? rect.width / 2;
    const cy = at?.y ?? rect.height / 2;
    const next = Math.min(4, Math.max(0.03, this.scale * factor));
    this.x = cx - (cx - this.x) * (next / this.scale);
    this.y = cy - (cy - this.y) * (next / this.scale);
    this.scale = next;
    this.apply();
  }

  private apply(): void {
    this.viewport.setAttribute("transform", `translate(${this.x.toFixed(1)} ${this.y.toFixed(1)}) scale(${this.scale.toFixed(4)})`);
  }

  private enablePanAndZoom(): void {
    let dragging: { x: number; y: number; startX: number; startY: number } | null = null;
    this.element.addEventListener("pointerdown", (e) => {
      if ((e.target as Element).closest(".node, .toggle")) return;
      dragging = { x: e.clientX, y: e.clientY, startX: this.x, startY: this.y };
      this.element.setPointerCapture(e.pointerId);
      this.element.classList.add("panning");
    });
    this.element.addEventListener("pointermove", (e) => {
      if (!dragging) return;
      this.x = dragging.startX + e.clientX - dragging.x;
      this.y = dragging.startY + e.clientY - dragging.y;
      this.apply();
    });
    const stop = () => {
      dragging = null;
      this.element.classList.remove("panning");
    };
    this.element.addEventListener("pointerup", stop);
    this.element.addEventListener("pointercancel", stop);
    this.element.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = this.element.getBoundingClientRect();
      this.zoom(Math.exp(-e.deltaY * 0.0015), { x: e.clientX - rect.left, y: e.clientY - rect.top });
    }, { passive: false });
  }
}

function truncate(text: string, length: number): string {
  return text.length > length ? text.slice(0, length - 1) + "…" : text;
}
