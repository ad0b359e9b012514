import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src-main/engine/data/mnist.js';

describe('built-in MNIST', () => {
  it('loads 60k train and 10k test images in [0, 1] with labels 0..9, cached per process', () => {
    const { train, test } = loadMnist();
    expect(train.xShape).toEqual([60000, 28, 28, 1]);
    expect(test.xShape).toEqual([10000, 28, 28, 1]);
    expect(train.x.length).toBe(60000 * 784);
    expect(train.y.length).toBe(60000);
    expect(test.y.length).toBe(10000);
    expect(train.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const label of test.y) counts[label]++;
    // Every digit is present and nothing lies outside 0..9 (the counts add up to 10 000).
    expect(counts.every((c) => c > 800)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    // The first training label of MNIST is a 5.
    expect(train.y[0]).toBe(5);
    expect(loadMnist().train).toBe(train);
  });
});
