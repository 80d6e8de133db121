// Turns a pipeline tree and a run's step runs into the graph on screen: one node per visible step instance or collapsed
// group, clusters for expanded groups (and a loop's iterations), and edges labelled with the outputs they carry.

import type { StepRun, StepStatus } from "../api";
import { groupsAround, sourcesOf, splitTaskKey, stepsUnder, type PipelineTree, type Template } from "./spec";

export type Look = "ran" | "cached" | "failed" | "running" | "not-triggered" | "skipped" | "pending";

export interface Instance {
  template: Template;
  indices: number[];
  key: string;
  step: StepRun | null;
}

export interface GraphNode {
  id: string;
  label: string;
  sublabel: string;
  look: Look;
  /** The instance it shows, for a step; null for a collapsed group. */
  instance: Instance | null;
  /** The group it stands for when collapsed. */
  group: { template: Template; prefix: number[]; count: number } | null;
  cluster: string | null;
}

export interface GraphCluster {
  id: string;
  label: string;
  kind: string;
  parent: string | null;
  /** The group that collapses when its header is clicked; null for an iteration. */
  toggle: string | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  labels: string[];
}

export interface Graph {
  nodes: GraphNode[];
  clusters: GraphCluster[];
  edges: GraphEdge[];
  instances: Instance[];
}

/** The status colours of step runs. */
export function lookOf(status: StepStatus | undefined): Look {
  switch (status) {
    case "Completed": return "ran";
    case "Cached": return "cached";
    case "Failed": case "Crashed": return "failed";
    case "Running": return "running";
    case "NotTriggered": return "not-triggered";
    case "NotRun": return "skipped";
    // Vertex AI reported no task details: nothing is known of the step.
    case "Unknown": return "pending";
    default: return "pending";
  }
}

/** A group's state key: its path and the loop iterations around it. */
export function groupKey(template: Template, prefix: number[]): string {
  return `${template.path}${prefix.map((i) => `[${i}]`).join("")}`;
}

/** Whether a group starts collapsed: loops do, and every group when the run is large. */
export function collapsedByDefault(template: Template, stepCount: number): boolean {
  return template.kind === "loop" || (template.kind === "call" && stepCount > 400);
}

/** Every step instance of the run: recorded step runs, and a pending one for each step outside loops not recorded yet. */
export function instancesOf(tree: PipelineTree, steps: StepRun[]): Instance[] {
  const instances: Instance[] = [];
  const recorded = new Set<string>();
  for (const step of steps) {
    const { path, indices } = splitTaskKey(step.taskKey);
    const template = tree.byPath.get(path);
    if (!template) continue;
    instances.push({ template, indices, key: step.taskKey, step });
    recorded.add(path);
  }
  for (const template of tree.steps) {
    if (!recorded.has(template.path) && !groupsAround(template).some((g) => g.kind === "loop")) {
      instances.push({ template, indices: [], key: template.path, step: null });
    }
  }
  return instances;
}

/** The graph to draw, given which groups are collapsed. */
export function buildGraph(tree: PipelineTree, instances: Instance[], isCollapsed: (template: Template, key: string) => boolean): Graph {
  const nodes = new Map<string, GraphNode>();
  const clusters = new Map<string, GraphCluster>();
  const visibleOf = new Map<Instance, string>();
  const members = new Map<string, Instance[]>();

  for (const instance of instances) {
    let parentCluster: string | null = null;
    let loops = 0;
    let shown: string | null = null;
    for (const group of groupsAround(instance.template)) {
      const prefix = instance.indices.slice(0, loops);
      const key = groupKey(group, prefix);
      if (isCollapsed(group, key)) {
        shown = `group:${key}`;
        if (!nodes.has(shown)) {
          nodes.set(shown, { id: shown, label: groupTitle(group), sublabel: "", look: "pending", instance: null, group: { template: group, prefix, count: 0 }, cluster: parentCluster });
        }
        break;
      }
      const clusterId = `cluster:${key}`;
      if (!clusters.has(clusterId)) {
        clusters.set(clusterId, { id: clusterId, label: groupTitle(group), kind: group.kind, parent: parentCluster, toggle: key });
      }
      parentCluster = clusterId;
      if (group.kind === "loop") {
        const index = instance.indices[loops] ?? 0;
        const iterationId = `${clusterId}#${index}`;
        if (!clusters.has(iterationId)) {
          clusters.set(iterationId, { id: iterationId, label: `iteration ${index}`, kind: "iteration", parent: clusterId, toggle: null });
        }
        parentCluster = iterationId;
        loops++;
      }
    }
    if (shown === null) {
      shown = `step:${instance.key}`;
      nodes.set(shown, {
        id: shown, label: instance.template.label + suffix(instance.indices), sublabel: instance.template.label !== instance.template.name ? instance.template.name : "",
        look: lookOf(instance.step?.status), instance, group: null, cluster: parentCluster,
      });
    }
    visibleOf.set(instance, shown);
    const list = members.get(shown) ?? [];
    list.push(instance);
    members.set(shown, list);
  }

  for (const node of nodes.values()) {
    if (!node.group) continue;
    const inside = members.get(node.id) ?? [];
    node.group.count = inside.length;
    node.look = aggregate(inside);
    const iterations = node.group.template.kind === "loop" ? new Set(inside.map((i) => i.indices[node.group!.prefix.length])).size : 0;
    node.sublabel = [iterations ? `×${iterations} iteration${iterations === 1 ? "" : "s"}` : "", summary(inside)].filter(Boolean).join(" · ");
  }

  const edges = new Map<string, GraphEdge>();
  const byTemplate = new Map<Template, Instance[]>();
  for (const instance of instances) {
    const list = byTemplate.get(instance.template) ?? [];
    list.push(instance);
    byTemplate.set(instance.template, list);
  }
  const addEdge = (from: string | undefined, to: string, label: string) => {
    if (!from || from === to) return;
    const id = `${from}->${to}`;
    const edge = edges.get(id) ?? { from, to, labels: [] };
    if (label && !edge.labels.includes(label)) edge.labels.push(label);
    edges.set(id, edge);
  };
  const producersFor = (consumer: Instance, producer: Template): Instance[] => {
    const shared = sharedLoops(consumer.template, producer);
    const prefix = consumer.indices.slice(0, shared);
    return (byTemplate.get(producer) ?? []).filter((p) => prefix.every((index, i) => p.indices[i] === index));
  };

  for (const consumer of instances) {
    const to = visibleOf.get(consumer)!;
    let linked = false;
    for (const input of Object.keys(consumer.template.inputs)) {
      for (const source of sourcesOf(tree, consumer.template, input)) {
        if (source.kind === "output") {
          for (const producer of producersFor(consumer, source.producer)) addEdge(visibleOf.get(producer), to, source.output);
          linked = true;
        } else if (source.kind === "status") {
          for (const last of lastSteps(source.producer)) {
            for (const producer of producersFor(consumer, last)) addEdge(visibleOf.get(producer), to, "status");
          }
          linked = true;
        }
      }
    }
    if (!linked) {
      // A run recorded without a spec: the recorded dependencies are all there is.
      for (const name of consumer.step?.dependsOn ?? []) {
        const template = tree.byPath.get(name);
        if (template) for (const producer of producersFor(consumer, template)) addEdge(visibleOf.get(producer), to, "");
      }
    }
  }

  return { nodes: [...nodes.values()], clusters: [...clusters.values()], edges: [...edges.values()], instances };
}

function sharedLoops(a: Template, b: Template): number {
  const loopsA = groupsAround(a).filter((g) => g.kind === "loop");
  const loopsB = groupsAround(b).filter((g) => g.kind === "loop");
  let shared = 0;
  while (shared < loopsA.length && shared < loopsB.length && loopsA[shared] === loopsB[shared]) shared++;
  return shared;
}

/** The steps of a group nothing else in the group consumes: what an exit handler waits for. */
function lastSteps(group: Template): Template[] {
  const steps = stepsUnder(group);
  const consumed = new Set<string>();
  for (const step of steps) {
    for (let at: Template | null = step; at && at !== group; at = at.parent) at.dependsOn.forEach((d) => consumed.add(`${at!.parent?.path ?? ""}|${d}`));
  }
  return steps.filter((step) => {
    for (let at: Template | null = step; at && at !== group; at = at.parent) {
      if (consumed.has(`${at.parent?.path ?? ""}|${at.name}`)) return false;
    }
    return true;
  });
}

function groupTitle(group: Template): string {
  const kind = group.kind === "loop" ? "loop" : group.kind === "condition" ? "if" : group.kind === "exit" ? "try" : "pipeline";
  return `${kind} ${group.label}${group.detail ? ` — ${group.detail}` : ""}`;
}

function suffix(indices: number[]): string {
  return indices.map((i) => `[${i}]`).join("");
}

const order: Look[] = ["failed", "running", "pending", "skipped", "not-triggered", "ran", "cached"];

function aggregate(instances: Instance[]): Look {
  const looks = new Set(instances.map((i) => lookOf(i.step?.status)));
  if (looks.size === 1) return [...looks][0];
  for (const look of order) {
    if (look !== "ran" && look !== "cached" && looks.has(look)) return look;
  }
  return "ran";
}

function summary(instances: Instance[]): string {
  const counts = new Map<Look, number>();
  for (const instance of instances) {
    const look = lookOf(instance.step?.status);
    counts.set(look, (counts.get(look) ?? 0) + 1);
  }
  return order.filter((l) => counts.has(l)).map((l) => `${counts.get(l)} ${l.replace("-", " ")}`).join(", ");
}
