import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { composedBatchNormTraining } from '../../../src-main/engine/backend/batch-norm-layer-training.js';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { fusedBatchNormAvailable, fusedBatchNormTraining } from '../../../src-main/engine/backend/wasm-batch-norm.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

/** y, batch mean and variance, and the gradients of sum(y·w) for x, gamma, beta. */
function step(bn: typeof fusedBatchNormTraining, shape: number[], seed: number): () => tf.Tensor[] {
  return () => {
    const rng = new Rng(seed);
    const C = shape[shape.length - 1];
    // An offset and scale per channel, as activations have, so the centring is exercised.
    const x = tf.add(tf.mul(tf.tensor(randomArray(rng, shape), shape), 3), tf.tensor1d(randomArray(rng, [C])));
    const gamma = tf.tensor1d(randomArray(rng, [C]));
    const beta = tf.tensor1d(randomArray(rng, [C]));
    const w = tf.tensor(randomArray(rng, shape), shape);
    const { y, mean, variance } = bn(x, gamma, beta, 1e-3);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(bn(a, g, b, 1e-3).y, w)))([x, gamma, beta]);
    return [y, mean, variance, ...grads];
  };
}

describe('fused wasm batch norm (training mode) against tfjs ops on cpu', () => {
  beforeAll(async () => {
    expect((await selectBackend({ prefer: 'wasm' })).name).toBe('wasm');
  });

  it('is what the wasm backend uses', async () => {
    await tf.setBackend('wasm');
    expect(fusedBatchNormAvailable()).toBe(true);
  });

  // C=6: a SIMD part and a scalar tail; C=16 over 2·9·9 rows: several 16-row blocks; C=3: tail only.
  it.each([[[4, 5, 3, 6]], [[2, 9, 9, 16]], [[3, 1, 7, 3]]])('matches y, statistics and gradients within 1e-4 (shape %j)', async (shape) => {
    const ref = await runOn('cpu', step(composedBatchNormTraining, shape, 5));
    const ours = await runOn('wasm', step(fusedBatchNormTraining, shape, 5));
    expect(ours.shapes).toEqual(ref.shapes);
    ours.values.forEach((v, i) => expect(relativeError(v, ref.values[i]), `output ${i}`).toBeLessThan(1e-4));
  });

  it('leaves no tensors behind over repeated gradient steps', async () => {
    await tf.setBackend('wasm');
    const run = step(fusedBatchNormTraining, [2, 4, 4, 8], 9);
    tf.dispose(tf.tidy(run));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(run));
    expect(tf.memory().numTensors).toBe(before);
  });
});
