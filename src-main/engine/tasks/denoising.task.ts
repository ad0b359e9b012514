import * as tf from '@tensorflow/tfjs';
import { applyNoise, type NoiseModel } from '../data/noise.js';
import type { Task } from './task.types.js';

export type { NoiseModel } from '../data/noise.js';

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

/** Rejects a setting that would make the task meaningless (no noise) before any training starts. */
function checkNoise(noise: NoiseModel): void {
  if (noise.kind === 'gaussian' && noise.sigma !== undefined && !(noise.sigma > 0))
    throw new Error(`denoising: Gaussian sigma must be > 0 (0–255 scale), got ${noise.sigma}`);
  if (noise.kind === 'salt-pepper' && noise.amount !== undefined && !(noise.amount > 0 && noise.amount <= 1))
    throw new Error(`denoising: salt-and-pepper amount must be in (0, 1], got ${noise.amount}`);
}

/**
 * Image denoising: the batch's clean images are the target, a seeded noisy copy (data/noise.ts) is the
 * input; the model (output = input + predicted residual) is trained with MSE and scored by PSNR.
 */
export function denoisingTask(inputShape: number[], noise: NoiseModel): Task {
  checkNoise(noise);
  return {
    kind: 'denoising',
    dims: 2,
    inputShape,
    numClasses: 0,
    makeBatch: (x, _y, seed) => ({ input: applyNoise(x, noise, seed), target: tf.clone(x) }),
    loss: (output, target) => tf.losses.meanSquaredError(target, output) as tf.Scalar,
    batchScore: batchPsnr,
    scoreName: 'psnr',
  };
}

/**
 * Denoising learnt from real pairs: each sample holds the noisy image and the clean one side by side in
 * its channels ([H, W, 2C]: noisy first), so the pair travels through every split, batch and worker as
 * one sample. The model sees the noisy half and is scored against the clean half; no noise is added.
 */
export function pairedDenoisingTask(inputShape: number[]): Task {
  const [h, w, c] = inputShape;
  return {
    kind: 'denoising',
    dims: 2,
    inputShape,
    numClasses: 0,
    makeBatch: (x) =>
      tf.tidy(() => {
        const n = x.shape[0];
        return { input: tf.slice(x, [0, 0, 0, 0], [n, h, w, c]), target: tf.slice(x, [0, 0, 0, c], [n, h, w, c]) };
      }),
    loss: (output, target) => tf.losses.meanSquaredError(target, output) as tf.Scalar,
    batchScore: batchPsnr,
    scoreName: 'psnr',
  };
}
