import { describe, expect, it } from 'vitest';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { batches, gatherBatch, holdOut, splitSearchData, subset } from '../../../src-main/engine/data/split.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

/** n samples of 2×2×1; sample i holds the value i everywhere so copies can be traced back. */
function toy(n: number, classes = 3, subjects?: number): ArrayDataset {
  const x = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) x.fill(i, i * 4, i * 4 + 4);
  const ds: ArrayDataset = {
    name: 'toy',
    x,
    xShape: [n, 2, 2, 1],
    y: Int32Array.from({ length: n }, (_, i) => i % classes),
    classes: Array.from({ length: classes }, (_, c) => `c${c}`),
  };
  if (subjects) ds.subjects = Int32Array.from({ length: n }, (_, i) => i % subjects);
  return ds;
}

const ids = (ds: ArrayDataset) => Array.from({ length: ds.xShape[0] }, (_, i) => ds.x[i * 4]);
const countBy = (labels: Int32Array) => [...labels].reduce<Record<number, number>>((acc, l) => ((acc[l] = (acc[l] ?? 0) + 1), acc), {});

describe('subset and gatherBatch', () => {
  it('copies the chosen rows, labels and subjects in order', () => {
    const ds = toy(10, 3, 4);
    const s = subset(ds, [7, 2, 2]);
    expect(s.xShape).toEqual([3, 2, 2, 1]);
    expect(ids(s)).toEqual([7, 2, 2]);
    expect([...s.y]).toEqual([1, 2, 2]);
    expect([...s.subjects!]).toEqual([3, 2, 2]);
    s.x[0] = -1;
    expect(ds.x[28]).toBe(7);
    expect(() => subset(ds, [10])).toThrow(/toy: index 10 is outside 0..9/);
  });

  it('gathers a batch as flat arrays with its shape', () => {
    const b = gatherBatch(toy(10), Int32Array.of(4, 1));
    expect(b.xShape).toEqual([2, 2, 2, 1]);
    expect([...b.x]).toEqual([4, 4, 4, 4, 1, 1, 1, 1]);
    expect([...b.y]).toEqual([1, 1]);
    expect(() => gatherBatch(toy(3), [3])).toThrow(/index 3 is outside 0..2/);
  });
});

describe('splitSearchData', () => {
  it('gives two disjoint, stratified halves, the same for the same seed', () => {
    const ds = toy(90);
    const { weight, arch } = splitSearchData(ds, { seed: 1 });
    expect(weight.xShape[0] + arch.xShape[0]).toBe(90);
    const w = new Set(ids(weight));
    expect(ids(arch).some((i) => w.has(i))).toBe(false);
    expect(countBy(weight.y)).toEqual({ 0: 15, 1: 15, 2: 15 });
    expect(countBy(arch.y)).toEqual({ 0: 15, 1: 15, 2: 15 });
    expect(ids(splitSearchData(ds, { seed: 1 }).weight)).toEqual(ids(weight));
    expect(ids(splitSearchData(ds, { seed: 2 }).weight)).not.toEqual(ids(weight));
  });

  it('caps the total at searchSamples, keeping class proportions and near-equal halves', () => {
    const { weight, arch } = splitSearchData(toy(300), { seed: 3, searchSamples: 31 });
    expect(weight.xShape[0] + arch.xShape[0]).toBe(31);
    expect(Math.abs(weight.xShape[0] - arch.xShape[0])).toBeLessThanOrEqual(1);
    const all = countBy(Int32Array.from([...weight.y, ...arch.y]));
    expect(Object.values(all).sort()).toEqual([10, 10, 11]);
  });
});

describe('holdOut', () => {
  it('holds out a stratified fraction when there are no subjects', () => {
    const { train, test } = holdOut(toy(60), 0.2, 5);
    expect(test.xShape[0]).toBe(12);
    expect(train.xShape[0]).toBe(48);
    expect(countBy(test.y)).toEqual({ 0: 4, 1: 4, 2: 4 });
    const t = new Set(ids(test));
    expect(ids(train).some((i) => t.has(i))).toBe(false);
  });

  it('holds out whole subjects when subjects are known', () => {
    const { train, test } = holdOut(toy(100, 3, 10), 0.3, 9);
    const testSubjects = new Set(test.subjects);
    expect(testSubjects.size).toBe(3);
    expect([...train.subjects!].some((s) => testSubjects.has(s))).toBe(false);
    expect(train.xShape[0] + test.xShape[0]).toBe(100);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => holdOut(toy(10), 1, 0)).toThrow(/toy: the held-out fraction must be between 0 and 1, got 1/);
  });
});

describe('batches', () => {
  it('covers every index once per epoch, shuffled by the seed', () => {
    const ds = toy(10);
    const got = [...batches(ds, 4, new Rng(1))];
    expect(got.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(got.flatMap((b) => [...b]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...batches(ds, 4, new Rng(1))].map((b) => [...b])).toEqual(got.map((b) => [...b]));
    expect(got.flatMap((b) => [...b])).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drops the short last batch when asked, and keeps order without an rng', () => {
    expect([...batches(toy(10), 4, null, { dropLast: true })].map((b) => [...b])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(() => [...batches(toy(3), 0, null)]).toThrow(/batch size must be a positive integer, got 0/);
  });
});
