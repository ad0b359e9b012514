import * as tf from '@tensorflow/tfjs';
import { withKnownValues } from '../supernet/known-edge-values.js';
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
 * Straight-through hard weights: forward value one_hot(index), exactly 0 off the chosen op (so the supernet
 * runs one op per edge), gradient that of `soft`, passed through unchanged. A custom gradient (tfjs has no
 * stop_gradient) keeps it on the device with nothing read back; the one-hot pattern is recorded for the
 * supernet (known-edge-values.ts).
 */
export function straightThrough(soft: tf.Tensor2D, index: number[]): tf.Tensor2D {
  const [rows, cols] = soft.shape;
  const hot = new Float32Array(rows * cols);
  index.forEach((k, r) => {
    if (k >= 0) hot[r * cols + k] = 1;
  });
  const passThrough = tf.customGrad(() => ({ value: tf.tensor2d(hot, [rows, cols]), gradFunc: (dy: tf.Tensor) => dy }));
  return withKnownValues(passThrough(soft) as tf.Tensor2D, hot);
}

/**
 * One cell type's alphas on the host: the copy read (awaited, as GPU backends need) before the step began
 * (StrategyContext.alphaValues), else a synchronous read (host backends).
 */
export function hostAlphas(alpha: tf.Tensor2D, known: ArrayLike<number> | undefined): ArrayLike<number> {
  return known ?? alpha.dataSync();
}

/** Gumbel-softmax: softmax((alpha + g) / tau), and alpha + g on the host for the hard argmax. */
export function gumbelSoftmax(alpha: tf.Tensor2D, tau: number, rng: Rng, alphaValues?: ArrayLike<number>): { soft: tf.Tensor2D; noisy: Float32Array } {
  const [rows, cols] = alpha.shape;
  const g = gumbelNoise(rows, cols, rng);
  const a = hostAlphas(alpha, alphaValues);
  const noisy = new Float32Array(rows * cols);
  for (let i = 0; i < noisy.length; i++) noisy[i] = a[i] + g[i];
  const soft = tf.softmax(tf.div(tf.add(alpha, tf.tensor2d(g, [rows, cols])), tau)) as tf.Tensor2D;
  return { soft, noisy };
}

/** One-hot matrix of the given row choices (-1: an all-zero row, the edge switched off). */
export function oneHotRows(index: number[], cols: number): number[][] {
  return index.map((i) => Array.from({ length: cols }, (_, k) => (k === i ? 1 : 0)));
}
