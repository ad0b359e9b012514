import * as tf from '@tensorflow/tfjs';
import type { ConvPrims, Pads4 } from './conv-grad-math.js';

type T4 = tf.Tensor4D;

const explicit = (p: Pads4): [[number, number], [number, number], [number, number], [number, number]] =>
  [[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]];

/** The same primitives as tf ops: works on every backend (used by the dilated-conv gradients). */
export const tfPrims: ConvPrims<tf.Tensor> = {
  shape: (t) => t.shape,
  conv2d: (x, f, strides, dilations, pads) => tf.conv2d(x as T4, f as T4, strides, explicit(pads), 'NHWC', dilations),
  depthwise: (x, f, strides, dilations, pads) => tf.depthwiseConv2d(x as T4, f as T4, strides, explicit(pads), 'NHWC', dilations),
  transpose: (x, perm) => tf.transpose(x, perm),
  reshape: (x, shape) => tf.reshape(x, shape),
  pad: (x, paddings) => tf.pad(x, paddings),
  slice: (x, begin, size) => tf.slice(x, begin, size),
  reverse: (x, axes) => tf.reverse(x, axes),
  sum: (x, axes) => tf.sum(x, axes),
  dispose: (t) => t.dispose(),
};
