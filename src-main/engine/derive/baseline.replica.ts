import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { LayersModelReplica } from '../parallel/layers-model.replica.js';
import type { Replica, ReplicaSpec } from '../parallel/replica.types.js';
import { replicaModuleUrl } from '../parallel/replica-module-url.js';
import { buildBaselineDenoiser } from '../tasks/baseline-denoiser.js';
import { createTask } from '../tasks/task-factory.js';

export interface BaselineReplicaOptions {
  noise?: SearchConfig['noise'];
  /** Sized to about the searched model's parameters, so the comparison is like for like. */
  targetParams: number;
  learningRate: number;
  /** Seeds the initial weights (the run's seed). */
  seed?: number;
}

/** Replica factory: the fixed DnCNN-style baseline a searched denoiser must at least match. */
export async function createReplica(options: BaselineReplicaOptions, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  const task = createTask('denoising', { train: datasets.train, noise: options.noise });
  const model = buildBaselineDenoiser({ inputShape: task.inputShape, targetParams: options.targetParams, seed: options.seed });
  return new LayersModelReplica(model, task, datasets, { learningRate: options.learningRate });
}

export function baselineReplicaSpec(options: BaselineReplicaOptions): ReplicaSpec {
  return { module: replicaModuleUrl(import.meta.url), options };
}
