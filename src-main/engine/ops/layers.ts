import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';

/**
 * Functional building blocks over explicit variables. Shapes are NHWC; `dims` 1 means a [B, 1, T, C]
 * window whose kernels, pools and strides act along T only (kernel 1×k), as TFLite lowers conv1d.
 */

export const BN_EPSILON = 1e-5;

export function kernel2(k: number, dims: 1 | 2): [number, number] {
  return dims === 2 ? [k, k] : [1, k];
}

export function stride2(s: number, dims: 1 | 2): [number, number] {
  return dims === 2 ? [s, s] : [1, s];
}

/** PyTorch's default conv/linear init: uniform in ±1/sqrt(fan_in), drawn from the seeded generator. */
export function uniformVariable(shape: number[], fanIn: number, rng: Rng, name?: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fanIn);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * bound;
  // The initial value is copied into the variable; disposing it keeps the tensor count honest.
  const initial = tf.tensor(values, shape);
  const variable = tf.variable(initial, true, name ? uniqueName(name) : undefined);
  initial.dispose();
  return variable;
}

let nameCounter = 0;
/** tfjs variable names are global; suffix a counter so two supernets never clash. */
function uniqueName(name: string): string {
  return `${name}_${nameCounter++}`;
}

/** Conv filter [kh, kw, cIn, cOut]. */
export function convFilter(k: number, cIn: number, cOut: number, dims: 1 | 2, rng: Rng): tf.Variable {
  const [kh, kw] = kernel2(k, dims);
  return uniformVariable([kh, kw, cIn, cOut], kh * kw * cIn, rng, 'conv');
}

/** Depthwise filter [kh, kw, C, 1]; fan-in is one channel's window, as for a grouped conv in PyTorch. */
export function depthwiseFilter(k: number, c: number, dims: 1 | 2, rng: Rng): tf.Variable {
  const [kh, kw] = kernel2(k, dims);
  return uniformVariable([kh, kw, c, 1], kh * kw, rng, 'dw');
}

export function conv(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, dims: 1 | 2, dilation = 1): tf.Tensor4D {
  return tf.conv2d(x, filter, stride2(stride, dims), 'same', 'NHWC', stride2(dilation, dims));
}

export function depthwise(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, dims: 1 | 2, dilation = 1): tf.Tensor4D {
  return tf.depthwiseConv2d(x, filter, stride2(stride, dims), 'same', 'NHWC', stride2(dilation, dims));
}

export function pool(kind: 'max' | 'avg', x: tf.Tensor4D, k: number, stride: number, dims: 1 | 2): tf.Tensor4D {
  const size = kernel2(k, dims);
  const strides = stride2(stride, dims);
  return kind === 'max' ? tf.maxPool(x, size, strides, 'same') : tf.avgPool(x, size, strides, 'same');
}

/** Kept per backend and size: a row made on one backend and used on another would be moved, and WebGPU cannot move data out synchronously. */
const averagingRows = new Map<string, tf.Tensor2D>();
/**
 * Per-channel mean over batch and space as a [1, N] × [N, C] product: the wasm backend's Mean over the
 * leading axes first transposes the whole tensor (channels are innermost), about twice as slow.
 */
function channelMean(t: tf.Tensor): tf.Tensor {
  const channels = t.shape[t.rank - 1];
  const n = t.size / channels;
  const key = `${tf.getBackend()} ${n}`;
  let row = averagingRows.get(key);
  if (!row || row.isDisposed) {
    row = tf.keep(tf.fill([1, n], 1 / n)) as tf.Tensor2D;
    averagingRows.set(key, row);
  }
  return tf.reshape(tf.matMul(row, tf.reshape(t, [n, channels])), [1, 1, 1, channels]);
}

/**
 * Affine-free batch norm with batch statistics, in training and in evaluation alike: the supernet's
 * weights change every step, so running averages would describe a network that no longer exists.
 * One custom gradient, dx = rstd·(dy − mean(dy) − x̂·mean(dy·x̂)), instead of tfjs's chain through
 * moments and FusedBatchNorm: 14 kernel launches per layer and step instead of about 30, and a
 * supernet step runs ~200 of them.
 */
const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const centered = tf.sub(x, channelMean(x));
  const rstd = tf.rsqrt(tf.add(channelMean(tf.square(centered)), BN_EPSILON));
  const normalized = tf.mul(centered, rstd);
  save([normalized, rstd]);
  return {
    value: normalized,
    gradFunc: (dy: tf.Tensor, [xHat, r]: tf.Tensor[]) => {
      const meanDy = channelMean(dy);
      const meanDyXHat = channelMean(tf.mul(dy, xHat));
      return tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(xHat, meanDyXHat)), r);
    },
  };
});

export function batchNorm(x: tf.Tensor4D): tf.Tensor4D {
  return normalize(x) as tf.Tensor4D;
}

/** Output spatial size of a 'same' op of the given stride. */
export function reducedShape(x: tf.Tensor4D, stride: number, dims: 1 | 2, channels: number): [number, number, number, number] {
  const [b, h, w] = x.shape;
  return [b, dims === 2 ? Math.ceil(h / stride) : h, Math.ceil(w / stride), channels];
}
