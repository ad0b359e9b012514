import * as tf from '@tensorflow/tfjs';

/** Total number of scalars in a variable list. */
export function sizeOf(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}

/** Concatenates named gradients into one array in the order of `variables` (a missing one is zeros). */
export function flattenGradients(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): Float32Array {
  const flat = new Float32Array(sizeOf(variables));
  let offset = 0;
  for (const v of variables) {
    const g = grads[v.name];
    if (g) flat.set(g.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return flat;
}

/** The inverse of flattenGradients: tensors keyed by variable name (the caller disposes them). */
export function unflattenGradients(variables: readonly tf.Variable[], flat: Float32Array): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  let offset = 0;
  for (const v of variables) {
    out[v.name] = tf.tensor(flat.subarray(offset, offset + v.size), v.shape, 'float32');
    offset += v.size;
  }
  return out;
}

/** Current values of tensors (variables, optimizer slots), flattened in order; awaited reads (GPU backends have no other). */
export async function readFlat(tensors: readonly tf.Tensor[]): Promise<Float32Array> {
  const flat = new Float32Array(tensors.reduce((sum, t) => sum + t.size, 0));
  const values = await Promise.all(tensors.map((t) => t.data()));
  let offset = 0;
  tensors.forEach((t, i) => {
    flat.set(values[i] as Float32Array, offset);
    offset += t.size;
  });
  return flat;
}

/** Averages per-replica results weighted by their sample counts, into a new array. */
export function weightedMean(parts: { grads: Float32Array; count: number }[]): Float32Array {
  const total = parts.reduce((s, p) => s + p.count, 0);
  const out = new Float32Array(parts[0].grads.length);
  for (const { grads, count } of parts) {
    const w = count / total;
    for (let i = 0; i < out.length; i++) out[i] += w * grads[i];
  }
  return out;
}
