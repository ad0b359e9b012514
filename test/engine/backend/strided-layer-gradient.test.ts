import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';

// tf.layers hands the kernels `dilations: null` for undilated convs: the replaced gradients must treat
// that as dilation 1, or every strided conv layer (DARTS reduction cells) fails to train.
describe('gradients of strided, undilated tf.layers convolutions', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it.each([
    ['depthwiseConv2d', () => tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false })],
    ['conv2d', () => tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false })],
  ])('%s with strides 2 trains', (_name, make) => {
    const layer = make();
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(layer.apply(a) as tf.Tensor))(x);
    expect(grad.shape).toEqual([2, 8, 8, 2]);
    expect(Number.isFinite(grad.sum().dataSync()[0])).toBe(true);
    tf.dispose([x, grad]);
  });
});
