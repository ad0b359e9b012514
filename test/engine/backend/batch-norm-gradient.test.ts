import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBatchNormGradient } from '../../../src-main/engine/backend/batch-norm-gradient.js';

/** The same normalisation written with elementary ops, whose own gradients are tfjs's reference. */
function composedBatchNorm(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, eps: number) {
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), scale), offset);
}

const maxRelDiff = (a: tf.Tensor, b: tf.Tensor) => {
  const [av, bv] = [a.dataSync(), b.dataSync()];
  const scale = Math.max(1e-6, ...Array.from(bv, Math.abs));
  return Math.max(...Array.from(av, (v, i) => Math.abs(v - bv[i]))) / scale;
};

describe('FusedBatchNorm gradient without Tile', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerBatchNormGradient();
  });

  it.each([
    ['per-channel statistics, NHWC', [2, 5, 3, 4], [4]],
    ['batch statistics from moments', [3, 1, 7, 2], [2]],
  ])('matches the composed expression for %s', (_name, xShape, cShape) => {
    tf.tidy(() => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
      const mean = tf.randomNormal(cShape, 0, 1, 'float32', 2);
      const variance = tf.randomUniform(cShape, 0.5, 2, 'float32', 3);
      const scale = tf.randomNormal(cShape, 1, 0.2, 'float32', 4);
      const offset = tf.randomNormal(cShape, 0, 1, 'float32', 5);
      const dy = tf.randomNormal(xShape, 0, 1, 'float32', 6);
      const inputs = [x, mean, variance, scale, offset];
      const fused = tf.grads((a, m, v, s, o) => tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), dy).sum())(inputs);
      const reference = tf.grads((a, m, v, s, o) => tf.mul(composedBatchNorm(a, m, v, s, o, 1e-3), dy).sum())(inputs);
      fused.forEach((g, i) => {
        expect(g.shape).toEqual(inputs[i].shape);
        expect(maxRelDiff(g, reference[i])).toBeLessThan(1e-4);
      });
    });
  });

  it('keeps the full training-mode gradient when mean and variance come from the batch', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 7);
      const dy = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 8);
      const ones = tf.ones([2]);
      const zeros = tf.zeros([2]);
      const viaFused = tf.grad((a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.mul(tf.batchNorm(a, mean, variance, zeros, ones, 1e-5), dy).sum();
      })(x);
      const viaComposed = tf.grad((a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.mul(composedBatchNorm(a, mean, variance, ones, zeros, 1e-5), dy).sum();
      })(x);
      expect(maxRelDiff(viaFused, viaComposed)).toBeLessThan(1e-4);
    });
  });
});
