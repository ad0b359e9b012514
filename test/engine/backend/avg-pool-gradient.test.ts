import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

/** The true gradient of avgPool (divisor = pixels the window covers), by definition, in plain JS. */
function referenceGrad(xShape: number[], dy: Float32Array, size: number, stride: number, pad: 'same' | 'valid'): Float32Array {
  const [n, h, w, c] = xShape;
  const oh = pad === 'same' ? Math.ceil(h / stride) : Math.ceil((h - size + 1) / stride);
  const ow = pad === 'same' ? Math.ceil(w / stride) : Math.ceil((w - size + 1) / stride);
  const padTop = pad === 'same' ? Math.floor(Math.max(0, (oh - 1) * stride + size - h) / 2) : 0;
  const padLeft = pad === 'same' ? Math.floor(Math.max(0, (ow - 1) * stride + size - w) / 2) : 0;
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const r0 = Math.max(0, i * stride - padTop); const r1 = Math.min(h, i * stride - padTop + size);
    const c0 = Math.max(0, j * stride - padLeft); const c1 = Math.min(w, j * stride - padLeft + size);
    const count = (r1 - r0) * (c1 - c0);
    for (let ch = 0; ch < c; ch++) {
      const g = dy[((b * oh + i) * ow + j) * c + ch] / count;
      for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) dx[((b * h + r) * w + q) * c + ch] += g;
    }
  }
  return dx;
}

describe('avgPool gradient at padded borders', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it.each([
    [3, 1, 'same', [2, 7, 7, 3]], [3, 2, 'same', [1, 8, 8, 4]], [2, 2, 'same', [2, 7, 9, 2]],
    [3, 2, 'valid', [1, 9, 9, 2]], [5, 1, 'same', [1, 6, 6, 1]],
  ] as const)('size %i stride %i %s %j matches the definition on cpu and wasm', async (size, stride, pad, shape) => {
    const rng = new Rng(size * 10 + stride);
    const xv = randomArray(rng, [...shape]);
    const run = () => {
      const x = tf.tensor4d(xv, [...shape] as [number, number, number, number]);
      const y = tf.avgPool(x, size, stride, pad);
      const dy = tf.tensor(randomArray(new Rng(1), y.shape), y.shape);
      return [dy, tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, size, stride, pad).mul(dy).sum())(x)];
    };
    for (const backend of ['cpu', 'wasm']) {
      const { values } = await runOn(backend, run);
      const expected = referenceGrad([...shape], values[0], size, stride, pad);
      expect(relativeError(values[1], expected)).toBeLessThan(1e-5);
    }
  });

  it('gives a 3×3 same window at a corner 1/4+1/6+1/6+1/9, not 4/9', async () => {
    await tf.setBackend('cpu');
    const g = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 3, 1, 'same').sum())(tf.ones([1, 4, 4, 1]));
    expect(g.dataSync()[0]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6);
    g.dispose();
  });
});
