// The server's JSON API, called with the session cookie; writes carry the session's CSRF header.

export type RunStatus = "Running" | "Completed" | "Failed" | "Cancelled" | "Crashed";
export type StepStatus = "Running" | "Completed" | "Cached" | "Failed" | "NotRun" | "NotTriggered" | "Crashed" | "Unknown";

export interface Session { name: string; role: string; csrf: string; expiresAt: string }
export interface Overview { version: string; activeStack: string; database: string }

export interface RunSummary {
  id: string; pipeline: string; status: RunStatus; startedAt: string; endedAt: string | null; orchestrator: string;
  stack: string | null; experiment: string | null; owner: string | null; error: string | null; remoteUrl: string | null; parametersJson: string;
  steps: number; ran: number; cached: number; failed: number; running: number;
}
export interface RunPage { total: number; offset: number; runs: RunSummary[]; pipelines: string[]; stacks: string[]; experiments: string[] }

export interface RunOwner { host: string; processId: number; processStartedAt: string; user: string }
export interface RunRecord {
  id: string; pipeline: string; status: RunStatus; startedAt: string; endedAt: string | null; parametersJson: string;
  orchestrator: string; error: string | null; stack: string | null; remoteId: string | null; remoteUrl: string | null;
  owner: RunOwner | null; heartbeatAt: string | null; experiment: string | null; metadataJson: string;
}
export interface StepRun {
  id: number; runId: string; taskKey: string; stepName: string; status: StepStatus; startedAt: string | null; endedAt: string | null;
  cacheKey: string | null; cacheKeyParts: string | null; cachedFrom: number | null; error: string | null; logPath: string | null;
  dependsOn: string[]; cacheEnabled: boolean | null; metadataJson: string;
}
export interface Artifact {
  id: number; uri: string; kfpType: string; valueType: string; size: number; contentHash: string; producerStepRunId: number;
  outputName: string; metadataJson: string;
}
export interface StepAttempt { number: number; startedAt: string; endedAt: string; outcome: "Completed" | "Failed" | "Cancelled"; error: string | null }
export interface RunMetrics { taskKey: string; stepRunId: number; outputName: string; artifactId: number; metadataJson: string }
export interface TablePage { columns: string[]; rows: (string | null)[][]; offset: number; total: number }
export interface StepInput { inputName: string; source: string; artifactId: number | null; contentHash: string }
export interface CacheChange { part: string; name: string; description: string; before: string | null; after: string | null }
export interface CacheExplanation { decision: string; summary: string; comparedWithStepRun: number | null; comparedWithRun: string | null; changes: CacheChange[] }
export interface Component { type: string; name: string; flavor: string; settings: Record<string, string> }
export interface Stack { name: string; components: Component[] }
export interface Schedule {
  id: string; displayName: string; pipeline: string; cron: string; orchestrator: string; stack: string | null; state: string;
  parametersJson: string; remoteUrl: string | null; createdAt: string;
}
export interface Experiment { name: string; runs: number; pipelines: string[]; firstRunAt: string; lastRunAt: string }
export interface ComparedRun { id: string; pipeline: string; experiment: string | null; status: RunStatus; startedAt: string }
export type ComparedSection = "parameter" | "metadata" | "metric" | "step";
export interface ComparedRow { section: ComparedSection; key: string; values: unknown[]; differs: boolean }
export interface Comparison { runs: ComparedRun[]; rows: ComparedRow[] }
export type ModelStage = "None" | "Staging" | "Production" | "Archived";
export interface ModelSummary { name: string; latestVersion: number; versions: number; production: number | null; staging: number | null; updatedAt: string }
export interface ArtifactVersion { name: string; version: number; artifact: Artifact; runId: string; stage: ModelStage; tags: string[]; createdAt: string }
export interface StageChange { name: string; version: number; from: ModelStage; to: ModelStage; changedBy: string; changedAt: string }
export interface ScheduleSummary { schedule: Schedule; timeZone: string; nextFireAt: string | null; notFiring: string | null }

/** A refusal of the API, with its one-line reason. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let csrf = "";
let onSignedOut: () => void = () => {};

/** Remembers the session's CSRF token and what to do when the server no longer knows the session. */
export function useSession(session: Session | null, signedOut: () => void): void {
  csrf = session?.csrf ?? "";
  onSignedOut = signedOut;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(method === "GET" ? {} : { "X-PipelineSdk-Csrf": csrf }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 206) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      if (problem && typeof problem.detail === "string") detail = problem.detail;
    } catch {
      // Not problem details: keep the status line.
    }
    if (response.status === 401 && path !== "/api/v1/session") onSignedOut();
    throw new ApiError(response.status, detail);
  }
  return response;
}

export const get = async <T>(path: string): Promise<T> => (await call("GET", path)).json() as Promise<T>;

/** Up to <paramref>limit</paramref> bytes of an artifact's content, as bytes. */
export async function content(artifactId: number, limit: number): Promise<Uint8Array> {
  const response = await call("GET", `/api/v1/artifacts/${artifactId}/content`, undefined, { Range: `bytes=0-${limit - 1}` });
  return new Uint8Array(await response.arrayBuffer());
}

export async function text(path: string): Promise<string> {
  return (await call("GET", path)).text();
}

export async function signIn(token: string): Promise<Session> {
  return (await call("POST", "/api/v1/session", { token })).json() as Promise<Session>;
}

export async function signOut(): Promise<void> {
  await call("DELETE", "/api/v1/session");
}

export const enc = encodeURIComponent;
