import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { SupernetReplica } from '../../../src-main/engine/search/supernet.replica.js';
import type { Strategy } from '../../../src-main/engine/strategy/strategy.types.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

// Sampling strategies can draw 'none' on every edge of an NB201 cell: nothing then depends on the
// alphas, and their gradient is exactly zero. The step must say so, not crash.
describe('a sampled path that disconnects the alphas', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives zero architecture gradients, marks no variable present and reports a finite loss', () => {
    const space = getSpace('nb201');
    const task = classificationTask([8, 8, 1], 3);
    const noneEverywhere: Strategy = {
      name: 'gdas',
      trainsAlphas: true,
      edgeWeights: (alphas) => {
        const onehot = (rows: number) => tf.oneHot(tf.fill([rows], space.primitives.indexOf('none'), 'int32'), space.primitives.length).toFloat() as tf.Tensor2D;
        return Object.fromEntries(Object.entries(alphas).map(([type, a]) => [type, onehot(a!.shape[0])]));
      },
    };
    const supernet = new Supernet({ space, task, channels: 4, cells: 3, stemStride: 1, seed: 1 });
    const rng = new Rng(1);
    const data = { name: 'r', x: Float32Array.from({ length: 4 * 64 }, () => rng.next()), xShape: [4, 8, 8, 1], y: Int32Array.from([0, 1, 2, 0]), classes: ['a', 'b', 'c'] };
    const replica = new SupernetReplica(supernet, noneEverywhere, task, { weight: data, arch: data }, {
      seed: 1, totalSteps: 4, epochs: 1, weightOptimizer: 'sgd', lrW: 0.01, lrWMin: 0.001, lrA: 3e-4, weightDecay: 0, archWeightDecay: 0, gradClip: 5, guard: 'none',
    });
    const result = replica.gradients('alphas', 'arch', Int32Array.from([0, 1, 2, 3]), { step: 0, epoch: 0, epochs: 1, totalSteps: 4, seed: 1 });
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(Array.from(result.present!).every((p) => p === 0)).toBe(true);
    expect(result.grads.every((g) => g === 0)).toBe(true);
    replica.dispose();
  });
});
