import { describe, expect, it } from 'vitest';
import { cosineLearningRate } from '../../../src-main/engine/parallel/layers-model.replica.js';

const at = (step: number, totalSteps = 100) => ({ step, totalSteps, epoch: 1, epochs: 1, seed: 0 });

describe('retraining learning-rate schedule', () => {
  it('without warm-up: starts at the peak and decays by a cosine to 2 % of it', () => {
    expect(cosineLearningRate(1, at(0))).toBeCloseTo(1, 10);
    expect(cosineLearningRate(1, at(50))).toBeCloseTo(0.51, 10);
    expect(cosineLearningRate(1, at(100))).toBeCloseTo(0.02, 10);
  });

  it('with warm-up: rises linearly from a tenth of the peak, peaks where warm-up ends, then decays', () => {
    const lr = Array.from({ length: 101 }, (_, s) => cosineLearningRate(2, at(s), 0.2));
    expect(lr[0]).toBeCloseTo(0.2, 10);
    expect(lr[10]).toBeCloseTo(0.2 + 0.9 * 2 * 0.5, 10);
    expect(lr[20]).toBeCloseTo(2, 10);
    expect(Math.max(...lr)).toBeCloseTo(2, 10);
    for (let s = 1; s <= 20; s++) expect(lr[s]).toBeGreaterThan(lr[s - 1]);
    for (let s = 21; s <= 100; s++) expect(lr[s]).toBeLessThan(lr[s - 1]);
    expect(lr[100]).toBeCloseTo(0.04, 10);
  });
});
