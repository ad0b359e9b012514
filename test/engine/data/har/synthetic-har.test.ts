import { describe, expect, it } from 'vitest';
import { generateSyntheticHar, HAR_ACTIVITIES } from '../../../../src-main/engine/data/har/synthetic-har.js';
import { splitBySubject } from '../../../../src-main/engine/data/har/split-by-subject.js';
import { nearestCentroidAccuracy, windowFeatures } from './har-features.js';

describe('generateSyntheticHar', () => {
  it('has UCI HAR shape, names and subject ids, and replays for a seed', () => {
    const ds = generateSyntheticHar({ subjects: 3, windowsPerActivity: 2, seed: 5 });
    expect(ds.xShape).toEqual([36, 128, 9]);
    expect(ds.classes).toEqual([...HAR_ACTIVITIES]);
    expect([...new Set(ds.subjects)]).toEqual([1, 2, 3]);
    expect(ds.y.filter((l) => l === 5).length).toBe(6);
    expect(Array.from(generateSyntheticHar({ subjects: 3, windowsPerActivity: 2, seed: 5 }).x)).toEqual(Array.from(ds.x));
    expect(Array.from(generateSyntheticHar({ subjects: 3, windowsPerActivity: 2, seed: 6 }).x.slice(0, 50))).not.toEqual(Array.from(ds.x.slice(0, 50)));
    expect(ds.x.every(Number.isFinite)).toBe(true);
  });

  it('total acceleration is about 1 g at rest and body + gravity in the 9-channel layout', () => {
    const ds = generateSyntheticHar({ subjects: 2, windowsPerActivity: 1, seed: 9 });
    const [n, T, C] = ds.xShape;
    for (let i = 0; i < n; i++) {
      let mag = 0;
      for (let t = 0; t < T; t++) {
        const o = (i * T + t) * C;
        mag += Math.hypot(ds.x[o + 6], ds.x[o + 7], ds.x[o + 8]) / T;
      }
      if (['sitting', 'standing', 'laying'].includes(ds.classes[ds.y[i]])) expect(mag).toBeCloseTo(1, 1);
    }
  });

  it('dynamic activities move more than static postures, laying points gravity off the vertical axis', () => {
    const ds = generateSyntheticHar({ subjects: 4, windowsPerActivity: 3, seed: 2 });
    const f = windowFeatures(ds); // per channel: mean, std, mean |diff|
    const mean = (cls: string, j: number) => {
      const rows = f.filter((_, i) => ds.classes[ds.y[i]] === cls);
      return rows.reduce((a, r) => a + r[j], 0) / rows.length;
    };
    const bodyAccXStd = 1; // channel 0 std
    for (const dyn of ['walking', 'walking_upstairs', 'walking_downstairs']) for (const stat of ['sitting', 'standing', 'laying']) expect(mean(dyn, bodyAccXStd)).toBeGreaterThan(5 * mean(stat, bodyAccXStd));
    const totalAccXMean = 6 * 3; // channel 6 mean
    expect(mean('standing', totalAccXMean)).toBeGreaterThan(0.9);
    expect(mean('laying', totalAccXMean)).toBeLessThan(0.3);
    // the downstairs heel strikes are sharper: larger sample-to-sample jumps than walking upstairs
    expect(mean('walking_downstairs', 2)).toBeGreaterThan(mean('walking_upstairs', 2));
  });

  it('the 3-channel option is total acceleration only', () => {
    const nine = generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 4 });
    const three = generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 4, channels: 3 });
    expect(three.xShape).toEqual([6, 128, 3]);
    for (let k = 0; k < 128 * 6; k += 17) expect(three.x[k * 3 + 1]).toBe(nine.x[k * 9 + 7]);
  });

  it('rejects bad options', () => {
    expect(() => generateSyntheticHar({ subjects: 0, windowsPerActivity: 1, seed: 1 })).toThrow(/subjects must be a positive integer/);
    expect(() => generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 1, channels: 6 as 9 })).toThrow(/channels must be 9 or 3/);
  });

  it('is learnable but not trivial: nearest centroid on simple features, unseen subjects', () => {
    // 20 subjects, 6 held out; chance is 1/6. Measured: 0.81 (9 ch) and 0.82 (3 ch) for seed 1.
    for (const channels of [9, 3] as const) {
      const ds = generateSyntheticHar({ subjects: 20, windowsPerActivity: 10, seed: 1, channels });
      const { train, test } = splitBySubject(ds, 0.3, 1);
      const acc = nearestCentroidAccuracy(train, test);
      expect(acc).toBeGreaterThan(0.6);
      expect(acc).toBeLessThan(0.95);
    }
  });
});

describe('splitBySubject', () => {
  it('puts each subject on one side only, about the asked fraction in test', () => {
    const ds = generateSyntheticHar({ subjects: 10, windowsPerActivity: 1, seed: 1, channels: 3 });
    const { train, test } = splitBySubject(ds, 0.3, 42);
    const trainIds = new Set(train.subjects), testIds = new Set(test.subjects);
    expect(testIds.size).toBe(3);
    expect(trainIds.size).toBe(7);
    for (const s of testIds) expect(trainIds.has(s)).toBe(false);
    expect(train.y.length + test.y.length).toBe(ds.y.length);
    // same seed, same split; another seed, most likely another one
    expect([...new Set(splitBySubject(ds, 0.3, 42).test.subjects)]).toEqual([...testIds]);
  });

  it('keeps at least one subject per side and explains what is missing', () => {
    const ds = generateSyntheticHar({ subjects: 2, windowsPerActivity: 1, seed: 1, channels: 3 });
    const { train, test } = splitBySubject(ds, 0.01, 1);
    expect(new Set(test.subjects).size).toBe(1);
    expect(new Set(train.subjects).size).toBe(1);
    expect(() => splitBySubject({ ...ds, subjects: undefined }, 0.2, 1)).toThrow(/no subject ids/);
    expect(() => splitBySubject(generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 1 }), 0.2, 1)).toThrow(/only 1 subject/);
  });
});
