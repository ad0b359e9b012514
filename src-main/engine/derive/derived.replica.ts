import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { LayersModelReplica } from '../parallel/layers-model.replica.js';
import type { Replica, ReplicaSpec } from '../parallel/replica.types.js';
import { replicaModuleUrl } from '../parallel/replica-module-url.js';
import { parseGenotype } from '../space/genotype.js';
import { createTask } from '../tasks/task-factory.js';
import type { TaskKind } from '../tasks/task.types.js';
import { buildDerivedModel, type DerivedModelOptions } from './build-derived-model.js';

/** Everything a worker needs to build the same derived model: plain data, structured-clone safe. */
export interface DerivedReplicaOptions {
  genotype: string;
  task: TaskKind;
  noise?: SearchConfig['noise'];
  model: DerivedModelOptions;
  learningRate: number;
  warmupFraction?: number;
}

/** Replica factory (engine/parallel/replica.types.ts): the derived model of a genotype, retrained from scratch. */
export async function createReplica(options: DerivedReplicaOptions, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  const task = createTask(options.task, { train: datasets.train, noise: options.noise });
  const model = buildDerivedModel(parseGenotype(options.genotype), task, options.model);
  return new LayersModelReplica(model, task, datasets, { learningRate: options.learningRate, warmupFraction: options.warmupFraction });
}

export function derivedReplicaSpec(options: DerivedReplicaOptions): ReplicaSpec {
  return { module: replicaModuleUrl(import.meta.url), options };
}
