import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { baselineDenoiserParams, baselineWidthForParams, buildBaselineDenoiser } from '../../../src-main/engine/tasks/baseline-denoiser.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('baseline denoiser', () => {
  it('counts parameters as tfjs does and keeps the image shape', () => {
    const model = buildBaselineDenoiser({ inputShape: [12, 12, 1], depth: 4, width: 6 });
    expect(model.countParams()).toBe(baselineDenoiserParams(4, 6, 1));
    // hand count: 9·1·6+6 = 60; 2 × (9·6·6 + 4·6) = 696; 9·6·1+1 = 55
    expect(model.countParams()).toBe(811);
    expect(model.outputs[0].shape).toEqual([null, 12, 12, 1]);
    const names = model.layers.map((l) => l.getClassName());
    expect(new Set(names)).toEqual(new Set(['InputLayer', 'Conv2D', 'ReLU', 'BatchNormalization', 'Add']));
    model.dispose();
  });

  it('sizes its width to a parameter budget', () => {
    for (const target of [2_000, 20_000, 100_000]) {
      const w = baselineWidthForParams(target, 5, 3);
      const model = buildBaselineDenoiser({ inputShape: [8, 8, 3], targetParams: target });
      expect(model.countParams()).toBe(baselineDenoiserParams(5, w, 3));
      // the next width up or down would be further from the target
      expect(Math.abs(model.countParams() - target)).toBeLessThanOrEqual(Math.abs(baselineDenoiserParams(5, w + 1, 3) - target));
      if (w > 1) expect(Math.abs(model.countParams() - target)).toBeLessThanOrEqual(Math.abs(baselineDenoiserParams(5, w - 1, 3) - target));
      model.dispose();
    }
  });

  it('outputs input + residual: a zero residual layer gives the input back', () => {
    const model = buildBaselineDenoiser({ inputShape: [6, 6, 1], depth: 3, width: 4 });
    const residual = model.getLayer('residual');
    residual.setWeights(residual.getWeights().map((w) => tf.zerosLike(w)));
    const x = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 1);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
  });
});
