import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { evaluateModel } from '../../../src-main/engine/derive/evaluate.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { meanPsnr } from '../../../src-main/engine/tasks/metrics.js';

/** Images of 4×4×1 with values spread over [0, 1]. */
function images(n: number): ArrayDataset {
  return {
    name: 'tiny',
    x: Float32Array.from({ length: n * 16 }, (_, i) => (i % 17) / 16),
    xShape: [n, 4, 4, 1],
    y: new Int32Array(n),
    classes: ['0'],
  };
}

/** output = input + shift, through a 1×1 conv: a denoiser whose raw output leaves [0, 1]. */
function shiftModel(shift: number): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 1] });
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, kernelInitializer: 'ones', biasInitializer: tf.initializers.constant({ value: shift }) });
  return tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
}

describe('evaluateModel on a denoiser', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('scores and keeps the output clipped to the image range [0, 1]', async () => {
    const test = images(5);
    const task = denoisingTask([4, 4, 1], { kind: 'gaussian', sigma: 25 });
    // The noisy input is in [0, 1], so input − 2 clips to all zeros and input + 2 to all ones.
    for (const [shift, value] of [[-2, 0], [2, 1]]) {
      const model = shiftModel(shift);
      const before = tf.memory().numTensors;
      const { metrics, examples } = await evaluateModel(model, task, test, { seed: 3, batchSize: 2, keepExamples: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(metrics.psnr).toBeCloseTo(meanPsnr(new Float32Array(test.x.length).fill(value), test.x, [4, 4, 1]), 5);
      expect(examples).toHaveLength(2);
      for (const e of examples) expect(Array.from(e.output)).toEqual(new Array(16).fill(value));
      // the unclipped output (off by 2 everywhere) would score −6 dB
      expect(metrics.psnr).toBeGreaterThan(0);
      model.dispose();
    }
  });
});
