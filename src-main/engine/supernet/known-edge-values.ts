import type * as tf from '@tensorflow/tfjs';

/**
 * The supernet skips every op whose edge weight is exactly 0, so it must know on the host which weights are
 * zero. Reading the weight matrix back costs a synchronous read per forward pass, which GPU backends cannot
 * afford (WebGPU in Node cannot do it at all). A strategy that knows the zero pattern when it makes the weights
 * (a sampled one-hot path, a softmax with no zero) records it here, and the supernet reads nothing.
 */
const known = new WeakMap<tf.Tensor, ArrayLike<number>>();

/** Records, for an edge-weight matrix, host values with its zeros in the same places (row-major). */
export function withKnownValues<T extends tf.Tensor>(weights: T, values: ArrayLike<number>): T {
  if (values.length !== weights.size) throw new Error(`known edge values: ${values.length} values for a matrix of ${weights.size}`);
  known.set(weights, values);
  return weights;
}

/** Records that no entry of the matrix is zero (softmax weights): every op of every edge runs. */
export function withNoZeros<T extends tf.Tensor>(weights: T): T {
  return withKnownValues(weights, new Float32Array(weights.size).fill(1));
}

/** The host values recorded for this matrix, if any. */
export function knownValues(weights: tf.Tensor): ArrayLike<number> | undefined {
  return known.get(weights);
}
