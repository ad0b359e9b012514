import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { baselineDenoiserParams, baselineWidthForParams, buildBaselineDenoiser } from '../../../src-main/engine/tasks/baseline-denoiser.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';

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

  it('a seed replays its initial weights; another seed changes them', () => {
    const weights = (seed: number) => {
      const model = buildBaselineDenoiser({ inputShape: [6, 6, 1], depth: 4, width: 4, seed });
      const values = model.getLayer('conv_1').getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    expect(weights(3)).toEqual(weights(3));
    expect(weights(4)).not.toEqual(weights(3));
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

  it('normalises like the derived models: the same batch-norm momentum and epsilon (PyTorch defaults)', () => {
    // With tfjs's default momentum (0.99) the moving statistics still held 8 % of their initial values
    // after a 250-step budget, and the baseline scored below the noisy input at test time.
    const bnConfigs = (model: tf.LayersModel) =>
      model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => {
        const c = l.getConfig();
        return { momentum: c.momentum, epsilon: c.epsilon };
      });
    const cell = "[('sep_conv_3x3', 0), ('skip_connect', 1)]";
    // A derived denoiser has no BN (build-derived-model.ts); a derived classifier carries the project's settings.
    const task = classificationTask([8, 8, 1], 3);
    const derived = buildDerivedModel(parseGenotype(`Genotype(normal=${cell}, normal_concat=[2], reduce=${cell}, reduce_concat=[2])`), task, {
      channels: 4, cells: 1, nodes: 1, stemMultiplier: 2, stemStride: 1, reductions: false,
    });
    const baseline = buildBaselineDenoiser({ inputShape: [8, 8, 1], depth: 4, width: 4 });
    const searchedSettings = new Set(bnConfigs(derived).map((c) => JSON.stringify(c)));
    expect(searchedSettings.size).toBe(1);
    expect(bnConfigs(baseline)).toHaveLength(2);
    for (const c of bnConfigs(baseline)) expect(JSON.stringify(c)).toBe([...searchedSettings][0]);
    derived.dispose();
    baseline.dispose();
  });
});
