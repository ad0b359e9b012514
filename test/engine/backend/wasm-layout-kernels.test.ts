import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setSimdGradKernelsEnabled } from '../../../src-main/engine/backend/simd/grad-kernels.js';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { hasOurWasmKernel } from '../../../src-main/engine/backend/wasm-grad-kernels.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

const TOLERANCE = 1e-4;

async function expectSameAsCpu(fn: () => tf.Tensor[]) {
  const wasm = await runOn('wasm', fn);
  const cpu = await runOn('cpu', fn);
  await tf.setBackend('wasm');
  expect(wasm.shapes).toEqual(cpu.shapes);
  wasm.values.forEach((v, i) => expect(relativeError(v, cpu.values[i])).toBeLessThan(TOLERANCE));
  return wasm;
}

const rng = new Rng(5);
const xv = randomArray(rng, [3, 5, 4, 7]);
const x = () => tf.tensor4d(xv, [3, 5, 4, 7]);

describe('wasm Slice, SplitV, Concat, Sum and Mean (row copies and column sums) match the cpu backend', () => {
  beforeAll(async () => {
    expect((await selectBackend({ prefer: 'wasm' })).name).toBe('wasm');
  });

  it('replaces the kernels on wasm', () => {
    for (const name of ['Slice', 'SplitV', 'Concat', 'Sum', 'Mean', 'Identity', 'Cast', 'Multiply', 'Add', 'Sub']) expect(hasOurWasmKernel(name)).toBe(true);
  });

  it('clones and same-dtype casts share the buffer, which outlives whichever tensor is disposed first', async () => {
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const a = x();
    const b = tf.clone(a);
    const c = tf.cast(a, 'float32');
    const f = tf.tensor1d([1.5, -2.5]);
    const d = tf.cast(f, 'int32');
    expect(tf.backend().numDataIds()).toBe(ids + 3); // a (shared by b and c), f, and d (a real conversion)
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual(Array.from(xv));
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual(Array.from(xv));
    expect(Array.from(d.dataSync())).toEqual([1, -2]);
    tf.dispose([c, d, f]);
    expect(tf.backend().numDataIds()).toBe(ids);
  });

  it.each([
    ['last axis', [0, 0, 0, 2], [-1, -1, -1, 3]],
    ['middle axis', [0, 1, 0, 0], [-1, 3, -1, -1]],
    ['first axis (contiguous)', [1, 0, 0, 0], [2, -1, -1, -1]],
    ['two axes (factorized reduce)', [0, 1, 1, 0], [-1, -1, -1, -1]],
    ['all axes', [1, 2, 1, 2], [2, 2, 3, 4]],
  ])('slice along the %s', async (_name, begin, size) => {
    await expectSameAsCpu(() => [tf.slice(x(), begin, size)]);
  });

  it.each([[3, [2, 4, 1]], [-1, 7], [1, [2, 3]], [2, 2]] as const)('split along axis %i into %j', async (axis, splits) => {
    const wasm = await expectSameAsCpu(() => tf.split(x(), splits as number | number[], axis));
    expect(wasm.values.length).toBe(Array.isArray(splits) ? splits.length : splits);
  });

  it('slices a rank-2 and a rank-3 tensor along several axes', async () => {
    await expectSameAsCpu(() => [tf.slice(tf.reshape(x(), [15, 28]), [2, 3], [4, 5]), tf.slice(tf.reshape(x(), [3, 20, 7]), [1, 2, 3], [2, 5, 4])]);
  });

  it.each([3, 1, 2, 0])('concat along axis %i, with an empty part', async (axis) => {
    await expectSameAsCpu(() => {
      const parts = [x(), tf.slice(x(), [0, 0, 0, 0], [-1, -1, -1, -1]), tf.zeros([3, 5, 4, 7].map((d, i) => (i === axis ? 0 : d)))];
      return [tf.concat(parts, axis), tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6], [2, 1], 'int32')], 1)];
    });
  });

  it.each([
    [[0, 1, 2], false], [[0, 1, 2], true], [[2, 0, 1], false], [0, false], [[0, 1], true],
    [[1, 2], false], [-1, false], [[0, 1, 2, 3], false],
  ] as const)('sum and mean over axes %j (keepDims %s)', async (axes, keepDims) => {
    await expectSameAsCpu(() => [
      tf.sum(x(), axes as number | number[], keepDims), tf.mean(x(), axes as number | number[], keepDims),
      tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0),
    ]);
  });

  it('add, sub and multiply with a per-channel vector, in both orders and shapes (and the cases left to wasm)', async () => {
    const v = randomArray(new Rng(8), [7]);
    const v8 = randomArray(new Rng(9), [8]);
    await expectSameAsCpu(() => {
      const t = x();
      const vec = tf.tensor1d(v);
      const vec4 = tf.reshape(vec, [1, 1, 1, 7]);
      const t8 = tf.reshape(tf.slice(tf.reshape(t, [-1]), 0, 3 * 5 * 8), [3, 5, 8]);
      return [
        tf.mul(t, vec), tf.mul(vec4, t), tf.add(t, vec4), tf.add(vec, t), tf.sub(t, vec), tf.sub(vec, t), tf.sub(t, vec4),
        tf.mul(t8, tf.tensor1d(v8)), tf.sub(t8, tf.tensor1d(v8)),
        tf.mul(t, t), tf.add(t, 2), tf.mul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor1d([3, 4], 'int32')),
      ];
    });
  });

  it('gradients through concat, split and batch statistics match cpu (SIMD on and off)', async () => {
    const fn = () => {
      const a = x();
      const grad = tf.grad((t: tf.Tensor) => {
        const [p, q] = tf.split(tf.concat([t, tf.relu(t)], 3), [5, 9], 3);
        const { mean, variance } = tf.moments(q, [0, 1, 2]);
        return tf.sum(tf.mul(tf.sub(q, mean), tf.rsqrt(tf.add(variance, 1e-3)))).add(tf.sum(tf.mul(p, p)));
      })(a);
      return [grad];
    };
    await expectSameAsCpu(fn);
    setSimdGradKernelsEnabled(false);
    try {
      await expectSameAsCpu(fn);
    } finally {
      setSimdGradKernelsEnabled(true);
    }
  });

  it('leaves no tensors or wasm buffers behind', async () => {
    await tf.setBackend('wasm');
    const run = () => tf.dispose(tf.tidy(() => [...tf.split(x(), [3, 4], 3), tf.concat([x(), x()], 3), tf.mean(x(), [0, 1, 2]), tf.sum(x(), 0)]));
    run();
    const tensors = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    run();
    run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(ids);
  });
});
