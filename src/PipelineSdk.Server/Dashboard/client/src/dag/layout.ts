// Places the graph with dagre (layered layout; expanded groups as compound clusters).

import dagre from "@dagrejs/dagre";
import type { Graph } from "./graph";

export const NodeWidth = 190;
export const NodeHeight = 48;

export interface Box { x: number; y: number; width: number; height: number }

export interface Placed {
  nodes: Map<string, Box>;
  clusters: Map<string, Box>;
  edges: Map<string, { points: { x: number; y: number }[]; label: { x: number; y: number } | null }>;
  width: number;
  height: number;
}

/** Lays the graph out top to bottom. */
export function layout(graph: Graph): Placed {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 56, edgesep: 12, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const cluster of graph.clusters) g.setNode(cluster.id, { label: cluster.label, paddingTop: 24 });
  for (const cluster of graph.clusters) if (cluster.parent) g.setParent(cluster.id, cluster.parent);
  for (const node of graph.nodes) {
    g.setNode(node.id, { width: NodeWidth, height: NodeHeight });
    if (node.cluster) g.setParent(node.id, node.cluster);
  }
  for (const edge of graph.edges) {
    const label = edge.labels.join(", ");
    g.setEdge(edge.from, edge.to, label ? { width: Math.min(160, label.length * 6.5 + 8), height: 14, labelpos: "c" } : {});
  }
  dagre.layout(g);

  const nodes = new Map<string, Box>();
  for (const node of graph.nodes) {
    const placed = g.node(node.id);
    nodes.set(node.id, { x: placed.x - placed.width / 2, y: placed.y - placed.height / 2, width: placed.width, height: placed.height });
  }
  const clusters = new Map<string, Box>();
  for (const cluster of graph.clusters) {
    const placed = g.node(cluster.id);
    if (placed && placed.width) {
      clusters.set(cluster.id, { x: placed.x - placed.width / 2, y: placed.y - placed.height / 2 - 14, width: placed.width, height: placed.height + 14 });
    }
  }
  const edges = new Map<string, { points: { x: number; y: number }[]; label: { x: number; y: number } | null }>();
  for (const edge of graph.edges) {
    const placed = g.edge(edge.from, edge.to);
    if (placed) edges.set(`${edge.from}->${edge.to}`, { points: placed.points ?? [], label: edge.labels.length ? { x: placed.x, y: placed.y } : null });
  }
  const size = g.graph();
  return { nodes, clusters, edges, width: size.width ?? 0, height: size.height ?? 0 };
}
