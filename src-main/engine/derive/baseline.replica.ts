import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { LayersModelReplica } from '../parallel/layers-model.replica.js';
import type { Replica, ReplicaSpec } from '../parallel/replica.types.js';
import { replicaModuleUrl } from '../parallel/replica-module-url.js';
import { createTask } from '../tasks/task-factory.js';
import type { TaskKind } from '../tasks/task.types.js';
import { buildBaselineModel } from './baseline-models.js';

/** Everything a worker needs to build the same baseline: plain data, structured-clone safe. */
export interface BaselineReplicaOptions {
  task: TaskKind;
  noise?: SearchConfig['noise'];
  /** Sized to about the searched model's parameters, so the comparison is like for like. */
  targetParams: number;
  /** The searched model's schedule (retrain-schedule.ts for classifiers). */
  learningRate: number;
  warmupFraction?: number;
  /** Seeds the initial weights (the run's seed). */
  seed?: number;
}

/** Replica factory: the task's fixed baseline (baseline-models.ts), built from the same task as the searched model's. */
export async function createReplica(options: BaselineReplicaOptions, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  const task = createTask(options.task, { train: datasets.train, noise: options.noise });
  const model = buildBaselineModel(task, options.targetParams, options.seed);
  return new LayersModelReplica(model, task, datasets, { learningRate: options.learningRate, warmupFraction: options.warmupFraction });
}

export function baselineReplicaSpec(options: BaselineReplicaOptions): ReplicaSpec {
  return { module: replicaModuleUrl(import.meta.url), options };
}
