import * as tf from '@tensorflow/tfjs';
import type { ArrayDataset } from '../data/dataset.types.js';
import { batches, gatherBatch } from '../data/split.js';
import type { Task } from '../tasks/task.types.js';
import type { Rng } from '../util/rng.js';

/** Full batches while the set has enough samples; a small set gives one short batch per epoch. */
export function epochBatches(ds: ArrayDataset, batchSize: number, rng: Rng): Generator<Int32Array> {
  return batches(ds, batchSize, rng, { dropLast: ds.xShape[0] >= batchSize });
}

/** Endless shuffled batches: the arch split is read in step with the weight split, whatever their sizes. */
export function* cyclingBatches(ds: ArrayDataset, batchSize: number, rng: Rng): Generator<Int32Array> {
  if (ds.xShape[0] === 0) throw new Error(`search: the data set "${ds.name}" is empty`);
  for (;;) yield* epochBatches(ds, batchSize, rng);
}

/** The task's (input, target) for a batch of sample indices; call inside a tidy. */
export function batchTensors(ds: ArrayDataset, indices: Int32Array, task: Task, seed: number): { input: tf.Tensor; target: tf.Tensor } {
  const { x, xShape, y } = gatherBatch(ds, indices);
  return task.makeBatch(tf.tensor(x, xShape), tf.tensor1d(y, 'int32'), seed);
}
