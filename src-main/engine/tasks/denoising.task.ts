import * as tf from '@tensorflow/tfjs';
import type { Task } from './task.types.js';
import { addNoise, checkNoise, type NoiseSpec } from './image-noise.js';

export type { NoiseSpec } from './image-noise.js';

/** PSNR cap for a perfect reconstruction: MSE floor 1e-10 → 100 dB (same as metrics.ts). */
const MIN_MSE = 1e-10;

/** Per-image PSNR (dB, data range 1), averaged over the batch, as a tensor for progress lines. */
export function batchPsnr(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const axes = output.shape.map((_, i) => i).slice(1);
    const mse = tf.maximum(tf.mean(tf.squaredDifference(output, target), axes), MIN_MSE);
    return tf.mean(tf.mul(-10 / Math.LN10, tf.log(mse))) as tf.Scalar;
  });
}

/**
 * Image denoising: the batch's clean images are the target, a seeded noisy copy is the input; the
 * model (residual, output = input + predicted residual) is trained with MSE and scored by PSNR.
 */
export function denoisingTask(inputShape: number[], noise: NoiseSpec): Task {
  checkNoise(noise);
  return {
    kind: 'denoising',
    dims: 2,
    inputShape,
    numClasses: 0,
    makeBatch: (x, _y, seed) => ({ input: addNoise(x, noise, seed), target: tf.clone(x) }),
    loss: (output, target) => tf.losses.meanSquaredError(target, output) as tf.Scalar,
    batchScore: batchPsnr,
    scoreName: 'psnr',
  };
}
