import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';

/** A [rows, cols] Gumbel(0, 1) sample from the seeded generator (CPU-side, so runs replay exactly). */
export function gumbelNoise(rows: number, cols: number, rng: Rng): Float32Array {
  const g = new Float32Array(rows * cols);
  for (let i = 0; i < g.length; i++) g[i] = rng.gumbel();
  return g;
}

/** Index of the largest value of each row of a flat [rows, cols] matrix. */
export function rowArgmax(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < cols; k++) if (values[r * cols + k] > values[r * cols + best]) best = k;
    out.push(best);
  }
  return out;
}

/**
 * Straight-through hard weights: forward value one_hot(index) exactly 0 off the chosen op (so the
 * supernet runs one op per edge), gradient that of `soft`. Computed as soft + constant(one_hot - soft):
 * tfjs has no stop_gradient, but a tensor made from JS numbers is outside the tape.
 */
export function straightThrough(soft: tf.Tensor2D, index: number[]): tf.Tensor2D {
  const [rows, cols] = soft.shape;
  const s = soft.dataSync();
  const delta = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) delta[r * cols + k] = (k === index[r] ? 1 : 0) - s[r * cols + k];
  return tf.add(soft, tf.tensor2d(delta, [rows, cols]));
}

/** Gumbel-softmax: softmax((alpha + g) / tau), with the noise g returned for the hard argmax. */
export function gumbelSoftmax(alpha: tf.Tensor2D, tau: number, rng: Rng): { soft: tf.Tensor2D; noisy: Float32Array } {
  const [rows, cols] = alpha.shape;
  const g = gumbelNoise(rows, cols, rng);
  const a = alpha.dataSync();
  const noisy = new Float32Array(rows * cols);
  for (let i = 0; i < noisy.length; i++) noisy[i] = a[i] + g[i];
  const soft = tf.softmax(tf.div(tf.add(alpha, tf.tensor2d(g, [rows, cols])), tau)) as tf.Tensor2D;
  return { soft, noisy };
}

/** One-hot matrix of the given row choices (-1: an all-zero row, the edge switched off). */
export function oneHotRows(index: number[], cols: number): number[][] {
  return index.map((i) => Array.from({ length: cols }, (_, k) => (k === i ? 1 : 0)));
}
