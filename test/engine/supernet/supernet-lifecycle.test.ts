import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';

describe('supernet lifecycle', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves no tensor behind once built and disposed', () => {
    const before = tf.memory().numTensors;
    const supernet = new Supernet({ space: getSpace('darts', { nodes: 2 }), task: classificationTask([8, 8, 1], 3), channels: 4, cells: 3, stemMultiplier: 2, stemStride: 1, seed: 1 });
    expect(tf.memory().numTensors).toBe(before + supernet.weightVars().length + supernet.alphaVars().length);
    supernet.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
