import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src-main/engine/util/rng.js';

/** max |a-b| / max(max |ref|, 1e-6): one number per tensor, robust to tiny reference values. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) return Infinity;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return diff / scale;
}

export function randomArray(rng: Rng, shape: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

/** Runs fn on a backend and returns its outputs' values and shapes, leaving no tensors behind. */
export async function runOn(backend: string, fn: () => tf.Tensor[]): Promise<{ values: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  const shapes = outs.map((t) => t.shape);
  tf.dispose(outs);
  return { values, shapes };
}
