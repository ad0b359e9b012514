import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { buildBaselineDenoiser } from '../../../src-main/engine/tasks/baseline-denoiser.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';

const CELL = "[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 0), ('avg_pool_3x3', 1)]";
const GENOTYPE = `Genotype(normal=${CELL}, normal_concat=[2, 3], reduce=${CELL}, reduce_concat=[2, 3])`;

// A residual denoiser must start as the identity: a random residual head begins far worse than the
// noisy input (PSNR −3 dB against ~20 dB) and spends its budget unlearning that.
describe('denoisers start as the identity', () => {
  const task = denoisingTask([8, 8, 1], { kind: 'gaussian', sigma: 25 });
  const x = () => tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
  const maxChange = (output: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(output, x()))).dataSync()[0]);

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the derived model returns its input before training', () => {
    const model = buildDerivedModel(parseGenotype(GENOTYPE), task, { channels: 4, cells: 2, nodes: 2, stemMultiplier: 2, stemStride: 1, reductions: false, seed: 1 });
    expect(tf.tidy(() => maxChange(model.predict(x()) as tf.Tensor))).toBe(0);
    model.dispose();
  });

  it('the baseline returns its input before training', () => {
    const model = buildBaselineDenoiser({ inputShape: [8, 8, 1], targetParams: 2000 });
    expect(tf.tidy(() => maxChange(model.predict(x()) as tf.Tensor))).toBe(0);
    model.dispose();
  });

  it('the supernet returns its input before training', () => {
    const space = getSpace('darts', { nodes: 2 });
    const supernet = new Supernet({ space, task, channels: 4, cells: 2, stemMultiplier: 2, stemStride: 1, seed: 1 });
    const change = tf.tidy(() => {
      const uniform = () => tf.fill([space.topology.edges.length, space.primitives.length], 1 / space.primitives.length) as tf.Tensor2D;
      const weights = { normal: uniform(), reduce: uniform() };
      return maxChange(supernet.forward(x(), weights, true));
    });
    expect(change).toBe(0);
    supernet.dispose();
  });
});
