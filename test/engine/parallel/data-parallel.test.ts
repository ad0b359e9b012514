import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { DataParallel, shard } from '../../../src-main/engine/parallel/data-parallel.js';
import type { StepContext } from '../../../src-main/engine/parallel/replica.types.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

const SPEC = { module: new URL('../../../bench/models/small-cnn.replica.ts', import.meta.url).href, options: { learningRate: 1e-3 } };

function randomDigits(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * 28 * 28 }, () => rng.next());
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  return { name: 'random digits', x, xShape: [n, 28, 28, 1], y, classes: [...'0123456789'] };
}

const ctx = (step: number): StepContext => ({ step, epoch: 1, epochs: 1, totalSteps: 10, seed: 7 });
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('shard', () => {
  it('splits a batch into contiguous near-equal parts covering every index once', () => {
    const parts = shard(Int32Array.from([0, 1, 2, 3, 4, 5, 6]), 3);
    expect(parts.map((p) => Array.from(p))).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
  });
});

describe('DataParallel over worker threads', () => {
  const data = { train: randomDigits(64, 1) };
  let two: DataParallel;
  let one: DataParallel;

  beforeAll(async () => {
    await selectBackend();
    two = (await DataParallel.create(SPEC, data, 2)).parallel;
    one = (await DataParallel.create(SPEC, data, 1)).parallel;
    one.local.load(two.local.snapshot());
  }, 120_000);

  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('uses a worker replica that starts from the same weights', async () => {
    expect(two.replicas).toBe(2);
    const [remote] = await two.remoteSnapshots();
    expect(maxAbsDiff(remote, two.local.snapshot())).toBe(0);
  });

  it('gives the same update as one replica on the whole batch, and replicas stay identical', async () => {
    const batch = Int32Array.from({ length: 32 }, (_, i) => i);
    let afterFirstStep = 0;
    for (let step = 0; step < 4; step++) {
      const a = await two.step('weights', 'train', batch, ctx(step));
      const b = await one.step('weights', 'train', batch, ctx(step));
      expect(a.loss).toBeCloseTo(b.loss, 4);
      // Adam creates its moment slots on the first step; from then on the count must not move.
      if (step === 0) afterFirstStep = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterFirstStep);
    const [remote] = await two.remoteSnapshots();
    expect(maxAbsDiff(remote, two.local.snapshot())).toBe(0);
    expect(maxAbsDiff(two.local.snapshot(), one.local.snapshot())).toBeLessThan(1e-5);
  });
});
