/** Lifecycle of a run as the store records it. */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ARTIFACT_KINDS = ['checkpoint', 'export', 'image', 'model'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export interface NewRun {
  id: string;
  /** The folder holding the run's files (config.json, events.jsonl, checkpoints, result.json). */
  runDir: string;
  config: unknown;
  hardware?: unknown;
  status?: RunStatus;
}

/** One row of `runs`, JSON columns parsed. */
export interface RunRecord {
  id: string;
  runDir: string;
  config: unknown;
  hardware: unknown;
  status: RunStatus;
  /** Last phase the run reported (loading, search, retrain, ...). */
  phase: string | null;
  error: string | null;
  /** Process that last ran it, to tell a live run from one whose process died. */
  pid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Summary of result.json once done (test metrics, genotype, params). */
  result: unknown;
}

export interface StepMetric {
  phase: 'search' | 'retrain';
  epoch: number;
  step: number;
  loss: number;
  score: number;
  /** Seconds since the run started (or any monotonic time the caller chose). */
  time: number;
}

export interface EpochGenotype {
  epoch: number;
  genotype: string;
  alphas?: unknown;
}

export interface Artifact {
  kind: ArtifactKind;
  path: string;
  bytes: number;
  createdAt: string;
}

export interface RunDetail extends RunRecord {
  genotypes: EpochGenotype[];
  artifacts: Artifact[];
  /** Steps recorded per phase, and the last epoch seen. */
  progress: { phase: string; steps: number; lastEpoch: number; lastLoss: number | null }[];
}
