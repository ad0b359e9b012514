import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { derivedReplicaSpec } from '../../../src-main/engine/derive/derived.replica.js';
import { retrainModel } from '../../../src-main/engine/derive/retrain.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

const GENOTYPE = '|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|';

function images(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * 8 * 8 }, () => rng.next());
  return { name: 'noise', x, xShape: [n, 8, 8, 1], y: Int32Array.from({ length: n }, () => rng.int(3)), classes: ['a', 'b', 'c'] };
}

const spec = derivedReplicaSpec({ genotype: GENOTYPE, task: 'classification', model: { channels: 4, cells: 1, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: false, seed: 2 }, learningRate: 5e-3 });

beforeAll(async () => {
  await selectBackend();
});

describe('batch-norm recalibration after retraining', () => {
  it('sets the moving statistics to those of the final weights: on its one batch, inference equals training mode', async () => {
    const train = images(64, 1);
    const options = { epochs: 1, batchSize: 64, seed: 3, replicas: 1, scoreName: 'accuracy' };
    const x = tf.tensor4d(train.x, [64, 8, 8, 1]);
    const gap = async (recalibrateBatchNorm?: number) => {
      const { model } = await retrainModel(spec, train, { ...options, recalibrateBatchNorm });
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.apply(x, { training: false }) as tf.Tensor, model.apply(x, { training: true }) as tf.Tensor))).dataSync()[0]);
      model.dispose();
      return diff;
    };
    // One step from the initial statistics: the running averages are far from this batch's.
    const without = await gap();
    const withIt = await gap(1);
    expect(without).toBeGreaterThan(1e-2);
    expect(withIt).toBeLessThan(2e-3);
    x.dispose();
  });
});
