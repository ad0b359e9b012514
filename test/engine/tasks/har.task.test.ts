import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { computeChannelStats, harTask } from '../../../src-main/engine/tasks/har.task.js';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { generateSyntheticHar } from '../../../src-main/engine/data/har/synthetic-har.js';

beforeAll(async () => {
  // wasm (with the engine's gradient kernels) trains ~40× faster than the pure-JS cpu backend
  await selectBackend({ prefer: 'wasm' });
});

describe('computeChannelStats', () => {
  it('gives mean and std per channel over all windows and time steps', () => {
    // 2 windows × 2 steps × 2 channels: channel 0 = 1, 3, 5, 7; channel 1 constant 4
    const stats = computeChannelStats({ name: 't', x: new Float32Array([1, 4, 3, 4, 5, 4, 7, 4]), xShape: [2, 2, 2], y: new Int32Array(2), classes: ['a'] });
    expect(stats.mean).toEqual([4, 4]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(5), 10);
    expect(stats.std[1]).toBe(1); // flat channel: no division by zero
  });
});

describe('harTask', () => {
  it('reshapes [B, T, C] windows to height-1 images and standardises per channel', () => {
    const task = harTask(4, 2, 3, { mean: [1, 10], std: [2, 5] });
    expect(task.inputShape).toEqual([1, 4, 2]);
    expect(task.kind).toBe('har');
    const x = tf.tensor3d([[[1, 10], [3, 15], [5, 20], [-1, 5]]]);
    const y = tf.tensor1d([2], 'int32');
    const before = tf.memory().numTensors;
    const { input, target } = task.makeBatch(x, y, 0);
    expect(tf.memory().numTensors).toBe(before + 2); // nothing but the two results
    expect(input.shape).toEqual([1, 1, 4, 2]);
    expect(Array.from(input.dataSync())).toEqual([0, 0, 1, 1, 2, 2, -1, -1]);
    expect(Array.from(target.dataSync())).toEqual([0, 0, 1]);
    tf.dispose([x, y, input, target]);
  });

  it('rejects statistics for the wrong channel count', () => {
    expect(() => harTask(4, 3, 6, { mean: [0], std: [1] })).toThrow(/1 channels, the windows have 3/);
  });

  it('a training step on synthetic windows lowers the loss and leaks no tensors', () => {
    const ds = generateSyntheticHar({ subjects: 2, windowsPerActivity: 2, seed: 3 });
    const [n, T, C] = ds.xShape;
    const task = harTask(T, C, 6, computeChannelStats(ds));
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: task.inputShape, filters: 8, kernelSize: [1, 5], strides: [1, 2], activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 6 }),
      ],
    });
    const optimizer = tf.train.adam(0.02);
    const x = tf.tensor3d(ds.x, [n, T, C]);
    const y = tf.tensor1d(ds.y, 'int32');
    const lossNow = () => tf.tidy(() => {
      const { input, target } = task.makeBatch(x, y, 0);
      return task.loss(model.apply(input) as tf.Tensor, target).dataSync()[0];
    });
    const before = lossNow();
    // warm-up step so the optimizer's slots exist before counting tensors
    const step = () => tf.tidy(() => {
      optimizer.minimize(() => {
        const { input, target } = task.makeBatch(x, y, 0);
        return task.loss(model.apply(input, { training: true }) as tf.Tensor, target);
      });
    });
    step();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    const after = lossNow();
    expect(after).toBeLessThan(before * 0.8);
    const score = tf.tidy(() => {
      const { input, target } = task.makeBatch(x, y, 0);
      return task.batchScore(model.predict(input) as tf.Tensor, target).dataSync()[0];
    });
    expect(score).toBeGreaterThan(1 / 6);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
});
