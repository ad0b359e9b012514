import type { ArrayDataset } from '../../src-main/engine/data/dataset.types.js';
import { LayersModelReplica } from '../../src-main/engine/parallel/layers-model.replica.js';
import type { Replica } from '../../src-main/engine/parallel/replica.types.js';
import { classificationTask } from '../../src-main/engine/tasks/classification.task.js';
import { smallCnn } from './small-cnn.js';

/** Replica factory for worker threads (see engine/parallel/replica.types.ts). */
export async function createReplica(options: { learningRate: number }, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  return new LayersModelReplica(smallCnn(), classificationTask([28, 28, 1], 10), datasets, options);
}
