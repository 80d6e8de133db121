// Reads a run's Kubeflow pipeline spec into a tree of tasks: steps, and the groups the compiler made — loops
// (parameterIterator), condition branches (triggerPolicy.condition), exit handlers and called pipelines (DAG components).

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export type GroupKind = "loop" | "condition" | "exit" | "call";

export interface Template {
  /** The task key without loop indices: called pipelines' names and the task's, joined by '/'. */
  path: string;
  /** The task's name in its DAG. */
  name: string;
  /** What people call it (taskInfo.name). */
  label: string;
  kind: "step" | GroupKind;
  parent: Template | null;
  children: Template[];
  /** Where each input comes from, as in the spec. */
  inputs: Record<string, Json>;
  dependsOn: string[];
  /** For a condition branch: the condition; for a loop: what it iterates over. */
  detail?: string;
  /** The task's spec entry (caching options, trigger policy, ...). */
  task: Json;
}

/** A task's input traced to the step output that feeds it, or to a value. */
export type Source =
  | { kind: "output"; producer: Template; output: string }
  | { kind: "parameter"; name: string }
  | { kind: "constant"; value: Json }
  | { kind: "item"; loop: Template; field?: string }
  | { kind: "status"; producer: Template };

export interface PipelineTree {
  root: Template;
  /** Every template by path (steps and groups). */
  byPath: Map<string, Template>;
  steps: Template[];
}

/** The tree of a spec's root DAG. */
export function readSpec(spec: Json): PipelineTree {
  const root: Template = { path: "", name: "", label: spec?.pipelineInfo?.name ?? "pipeline", kind: "call", parent: null, children: [], inputs: {}, dependsOn: [], task: {} };
  const byPath = new Map<string, Template>();
  const steps: Template[] = [];
  const components: Record<string, Json> = spec?.components ?? {};

  const visit = (parent: Template, dag: Json, prefix: string, depth: number) => {
    const tasks: Record<string, Json> = dag?.tasks ?? {};
    for (const name of Object.keys(tasks).sort()) {
      const task = tasks[name];
      const component = components[task?.componentRef?.name ?? ""] ?? {};
      const kind = component.dag ? groupKind(name, task) : "step";
      const path = prefix + name;
      const template: Template = {
        path, name, label: task?.taskInfo?.name ?? name, kind, parent, children: [], inputs: { ...(task?.inputs?.parameters ?? {}), ...(task?.inputs?.artifacts ?? {}) },
        dependsOn: task?.dependentTasks ?? [], task,
        detail: kind === "condition" ? readableCondition(task?.triggerPolicy?.condition ?? "") : kind === "loop" ? iteration(task) : undefined,
      };
      parent.children.push(template);
      byPath.set(kind === "step" ? path : `group:${path}`, template);
      if (kind === "step") {
        steps.push(template);
      } else if (depth < 64) {
        visit(template, component.dag, kind === "call" ? `${prefix}${name}/` : prefix, depth + 1);
      }
    }
  };
  visit(root, spec?.root?.dag, "", 0);
  // Components' DAG outputs say which inner task produces a group's output.
  (root as Json).components = components;
  return { root, byPath, steps };
}

function groupKind(name: string, task: Json): GroupKind {
  if (task.parameterIterator || task.artifactIterator) return "loop";
  if (task.triggerPolicy?.condition) return "condition";
  if (/^exit-handler-\d+$/.test(name)) return "exit";
  return "call";
}

function iteration(task: Json): string {
  const items = task.parameterIterator?.items;
  if (items?.raw) return `over ${items.raw}`;
  if (items?.inputParameter) return `over ${stripChannel(items.inputParameter)}`;
  if (task.artifactIterator) return `over ${stripChannel(task.artifactIterator.items?.inputArtifact ?? "artifacts")}`;
  return "";
}

function readableCondition(condition: string): string {
  return condition.replace(/inputs\.parameter_values\['([^']+)'\]/g, (_, name: string) => stripChannel(name));
}

function stripChannel(name: string): string {
  return name.replace(/^pipelinechannel--/, "");
}

function componentOf(tree: PipelineTree, template: Template): Json {
  const components = (tree.root as Json).components as Record<string, Json>;
  return components[template.task?.componentRef?.name ?? ""] ?? {};
}

/** Where a task's input comes from, traced through the groups around it; several sources for a collected loop output. */
export function sourcesOf(tree: PipelineTree, template: Template, input: string, depth = 0): Source[] {
  const binding = template.inputs[input];
  if (!binding || depth > 64) return [];
  const fromTask = binding.taskOutputArtifact ?? binding.taskOutputParameter;
  if (fromTask) {
    const producer = sibling(template, fromTask.producerTask);
    const output = fromTask.outputArtifactKey ?? fromTask.outputParameterKey;
    return producer ? outputsOf(tree, producer, output, depth + 1) : [];
  }
  if (binding.taskFinalStatus) {
    const producer = sibling(template, binding.taskFinalStatus.producerTask);
    return producer ? [{ kind: "status", producer }] : [];
  }
  if (binding.runtimeValue) return [{ kind: "constant", value: binding.runtimeValue.constant }];
  const fromParent = binding.componentInputParameter ?? binding.componentInputArtifact;
  if (fromParent !== undefined) {
    const parent = template.parent;
    if (!parent || parent.parent === null) return [{ kind: "parameter", name: fromParent }];
    const iterator = parent.kind === "loop" ? parent.task?.parameterIterator ?? parent.task?.artifactIterator : undefined;
    if (iterator?.itemInput === fromParent) return [{ kind: "item", loop: parent, field: binding.parameterExpressionSelector }];
    return sourcesOf(tree, parent, fromParent, depth + 1);
  }
  return [];
}

/** The step outputs behind a task's output: itself for a step, the selected inner task's for a group. */
function outputsOf(tree: PipelineTree, producer: Template, output: string, depth: number): Source[] {
  if (producer.kind === "step") return [{ kind: "output", producer, output }];
  const outputs = componentOf(tree, producer).dag?.outputs ?? {};
  const selectors: Json[] = [
    ...(outputs.artifacts?.[output]?.artifactSelectors ?? []),
    ...(outputs.parameters?.[output]?.valueFromParameter ? [outputs.parameters[output].valueFromParameter] : []),
    ...(outputs.parameters?.[output]?.valueFromOneof?.parameterSelectors ?? []),
  ];
  return selectors.flatMap((selector) => {
    const inner = producer.children.find((c) => c.name === selector.producerSubtask);
    return inner && depth < 64 ? outputsOf(tree, inner, selector.outputArtifactKey ?? selector.outputParameterKey, depth + 1) : [];
  });
}

function sibling(template: Template, name: string): Template | undefined {
  return template.parent?.children.find((c) => c.name === name);
}

/** The steps inside a group (at any depth). */
export function stepsUnder(group: Template): Template[] {
  return group.kind === "step" ? [group] : group.children.flatMap(stepsUnder);
}

/** The groups around a template, outermost first (the root excluded). */
export function groupsAround(template: Template): Template[] {
  const groups: Template[] = [];
  for (let at = template.parent; at && at.parent; at = at.parent) groups.unshift(at);
  return groups;
}

/** Splits a recorded task key into its path without indices and its loop indices, e.g. train-once/fit[2] → train-once/fit, [2]. */
export function splitTaskKey(key: string): { path: string; indices: number[] } {
  const indices: number[] = [];
  const path = key.replace(/\[(\d+)\]/g, (_, index: string) => {
    indices.push(Number(index));
    return "";
  });
  return { path, indices };
}

/** A tree for a run recorded without a spec: one step per recorded task, dependencies as recorded. */
export function treeFromSteps(keys: { path: string; dependsOn: string[] }[]): PipelineTree {
  const root: Template = { path: "", name: "", label: "pipeline", kind: "call", parent: null, children: [], inputs: {}, dependsOn: [], task: {} };
  (root as Json).components = {};
  const byPath = new Map<string, Template>();
  for (const { path, dependsOn } of keys) {
    if (byPath.has(path)) continue;
    const template: Template = { path, name: path, label: path, kind: "step", parent: root, children: [], inputs: {}, dependsOn, task: {} };
    root.children.push(template);
    byPath.set(path, template);
  }
  return { root, byPath, steps: root.children };
}
