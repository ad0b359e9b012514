import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { runsOutsideGc, timeInterleaved, trimmedMean, warmUntilSteady, type Timeable } from '../../../src-main/engine/hardware/latency-measure.js';

beforeAll(async () => {
  await selectBackend();
});

describe('runsOutsideGc', () => {
  const runs = [
    { ms: 1, start: 0, end: 1 },
    { ms: 9, start: 1, end: 2 },
    { ms: 1.2, start: 2, end: 3 },
    { ms: 1.1, start: 3, end: 4 },
  ];

  it('drops the runs a garbage collection overlapped', () => {
    expect(runsOutsideGc(runs, [[1.5, 1.7]])).toEqual([1, 1.2, 1.1]);
    expect(runsOutsideGc(runs, [])).toEqual([1, 9, 1.2, 1.1]);
    // A collection touching a run's end exactly does not overlap it.
    expect(runsOutsideGc(runs, [[4, 5]])).toEqual([1, 9, 1.2, 1.1]);
  });

  it('keeps every run when fewer than half would remain', () => {
    expect(runsOutsideGc(runs, [[0.5, 3.5]])).toEqual([1, 9, 1.2, 1.1]);
  });
});

describe('warmUntilSteady', () => {
  it('keeps predicting while the time falls and stops once it is steady', async () => {
    let calls = 0;
    // Slow for the first 200 predicts (busy-waiting 0.3 ms), then fast: the warm-up must outlast the slow phase.
    const model = {
      inputs: [{ shape: [null, 2] }],
      predict: () => {
        calls++;
        if (calls <= 200) {
          const until = performance.now() + 0.3;
          while (performance.now() < until);
        }
        return tf.zeros([1, 2]);
      },
    } as unknown as tf.LayersModel;
    const tensors = tf.memory().numTensors;
    const predicts = await warmUntilSteady(model, { maxMs: 20000 });
    expect(predicts).toBe(calls);
    expect(predicts).toBeGreaterThan(200);
    expect(predicts).toBeLessThan(200 + 25 * 10);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('stops at maxMs when the time never settles', async () => {
    let calls = 0;
    const model = {
      inputs: [{ shape: [null, 2] }],
      // Ever faster: every block beats the last, so only the time limit ends the warm-up.
      predict: () => {
        calls++;
        const until = performance.now() + Math.max(0.001, 1 / calls);
        while (performance.now() < until);
        return tf.zeros([1, 2]);
      },
    } as unknown as tf.LayersModel;
    const started = performance.now();
    await warmUntilSteady(model, { maxMs: 300 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(calls).toBeGreaterThanOrEqual(25);
  });
});

describe('timeInterleaved', () => {
  it('runs each item twice per visit, in a new order every round, and times every round', async () => {
    const calls: number[] = [];
    const x = tf.zeros([1, 2]);
    const items: Timeable[] = [0, 1, 2, 3].map((id) => ({
      model: { predict: () => (calls.push(id), tf.zeros([1, 2])) } as unknown as tf.LayersModel,
      inputs: [x],
    }));
    const times = await timeInterleaved(items, { repeats: 15, warmup: 0 });
    x.dispose();
    expect(times).toHaveLength(4);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(0);
    expect(calls).toHaveLength(15 * 4 * 2);
    const rounds: string[] = [];
    for (let r = 0; r < 15; r++) {
      const round = calls.slice(r * 8, r * 8 + 8);
      // Warm visits: each item twice in a row, each item once per round.
      for (let v = 0; v < 4; v++) expect(round[2 * v]).toBe(round[2 * v + 1]);
      expect([...new Set(round)].sort()).toEqual([0, 1, 2, 3]);
      rounds.push(round.join(''));
    }
    expect(new Set(rounds).size).toBeGreaterThan(3);
  });

  it('restores tfjs-layers execution-order cache size after widening it', async () => {
    const before = tf.env().getNumber('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES');
    const x = tf.zeros([1, 2]);
    const items: Timeable[] = Array.from({ length: before + 5 }, () => ({ model: { predict: () => tf.zeros([1, 2]) } as unknown as tf.LayersModel, inputs: [x] }));
    let during = 0;
    const probe = items[0].model as unknown as { predict: () => tf.Tensor };
    probe.predict = () => ((during = tf.env().getNumber('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES')), tf.zeros([1, 2]));
    await timeInterleaved(items, { repeats: 15, warmup: 0 });
    x.dispose();
    expect(during).toBeGreaterThanOrEqual(items.length);
    expect(tf.env().getNumber('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES')).toBe(before);
  });

  it('trimmedMean drops the tails before averaging', () => {
    expect(trimmedMean([1, 1, 1, 1, 1, 1, 1, 1, 1, 100])).toBe(1);
  });
});
