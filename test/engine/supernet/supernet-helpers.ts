import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../../src-main/engine/tasks/task.types.js';

/** A denoising task stand-in for supernet tests: MSE against the clean input (the real one adds noise). */
export function tinyDenoisingTask(inputShape: number[]): Task {
  return {
    kind: 'denoising',
    dims: 2,
    inputShape,
    numClasses: 0,
    makeBatch: (x) => ({ input: x, target: x }),
    loss: (out, target) => tf.losses.meanSquaredError(target, out) as tf.Scalar,
    batchScore: (out, target) => tf.neg(tf.losses.meanSquaredError(target, out)) as tf.Scalar,
    scoreName: 'neg_mse',
  };
}

/** Row-wise softmax of a supernet's alphas: the DARTS weighting, written out for tests. */
export function softmaxWeights(alphas: Partial<Record<'normal' | 'reduce', tf.Variable>>): Partial<Record<'normal' | 'reduce', tf.Tensor2D>> {
  const out: Partial<Record<'normal' | 'reduce', tf.Tensor2D>> = {};
  for (const [type, a] of Object.entries(alphas) as ['normal' | 'reduce', tf.Variable][]) out[type] = tf.softmax(a) as tf.Tensor2D;
  return out;
}
