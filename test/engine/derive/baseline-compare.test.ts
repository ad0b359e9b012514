import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../../../src-main/contract/events.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { trainAndScoreBaseline } from '../../../src-main/engine/derive/baseline-compare.js';
import { createTask } from '../../../src-main/engine/tasks/task-factory.js';
import type { TaskKind } from '../../../src-main/engine/tasks/task.types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tiny(kind: TaskKind, n: number, offset: number): ArrayDataset {
  const sample = kind === 'har' ? [16, 3] : [8, 8, 1];
  const size = sample.reduce((a, b) => a * b, 1);
  const y = Int32Array.from({ length: n }, (_, i) => (i + offset) % 2);
  // Class 1 is brighter: a few steps can learn it.
  const x = Float32Array.from({ length: n * size }, (_, i) => 0.3 * y[Math.floor(i / size)] + (((i + offset) * 7919) % 97) / 160);
  return { name: `tiny ${kind}`, x, xShape: [n, ...sample], y, classes: ['a', 'b'] };
}

/** The keys evaluateModel gives every model of the task: the searched model's metrics.test has them too (denoising adds *_baseline). */
const KEYS: Record<TaskKind, string[]> = {
  classification: ['accuracy', 'confusion', 'loss', 'macro_f1'],
  har: ['accuracy', 'confusion', 'loss', 'macro_f1'],
  denoising: ['loss', 'psnr', 'psnr_noisy', 'ssim'],
};

describe('trainAndScoreBaseline', () => {
  for (const kind of ['classification', 'har', 'denoising'] as const) {
    it(`${kind}: trains the fixed baseline with the budget given, scores it with the task's metrics, and reports progress as the baseline's`, async () => {
      const train = tiny(kind, 16, 0);
      const test = tiny(kind, 8, 3);
      const task = createTask(kind, { train });
      const events: RunEvent[] = [];
      const budget = { epochs: 1, batchSize: 4, seed: 2, replicas: 1, scoreName: task.scoreName };
      const score = await trainAndScoreBaseline({ task, targetParams: 1_500, learningRate: 2e-3, warmupFraction: kind === 'denoising' ? undefined : 0.15, train, test, budget, onEvent: (e) => events.push(e) });
      expect(score.name).toMatch({ classification: /^MobileNet-style CNN/, har: /^1-D CNN/, denoising: /^DnCNN-style CNN/ }[kind]);
      expect(Object.keys(score.metrics).sort()).toEqual(KEYS[kind]);
      for (const value of Object.values(score.metrics)) if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
      expect(Math.abs(score.params - 1_500) / 1_500).toBeLessThan(0.2);
      expect(events[0]).toMatchObject({ type: 'log', level: 'info', message: expect.stringContaining(score.name) });
      const steps = events.filter((e) => e.type === 'step');
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((e) => e.type === 'step' && e.model === 'baseline' && e.phase === 'retrain' && e.epochs === 1 && e.stepsPerEpoch === 4)).toBe(true);
      // 'retrain' epochs are the searched model's: the baseline's stay out.
      expect(events.some((e) => e.type === 'epoch')).toBe(false);
    });
  }

  it('the same seed replays the same scores', async () => {
    const train = tiny('classification', 16, 0);
    const test = tiny('classification', 8, 3);
    const task = createTask('classification', { train });
    const run = () => trainAndScoreBaseline({ task, targetParams: 1_000, learningRate: 4e-3, train, test, budget: { epochs: 1, batchSize: 8, seed: 5, replicas: 1, scoreName: 'accuracy' } });
    const [a, b] = [await run(), await run()];
    expect(b.metrics).toEqual(a.metrics);
  });
});
