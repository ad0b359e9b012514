import type { ArrayDataset } from './dataset.types.js';
import { Rng } from '../util/rng.js';

/** Number of samples in a dataset. */
export function sampleCount(ds: ArrayDataset): number {
  return ds.xShape[0];
}

/** Values per sample, e.g. 784 for [N, 28, 28, 1]. */
export function sampleSize(ds: ArrayDataset): number {
  let size = 1;
  for (let i = 1; i < ds.xShape.length; i++) size *= ds.xShape[i];
  return size;
}

/**
 * A new dataset holding the given samples, in the given order. Rows are copied with typed-array
 * set() (a memcpy per row), so the result owns its memory and the source can be released.
 */
export function subset(ds: ArrayDataset, indices: ArrayLike<number>, name = ds.name): ArrayDataset {
  const n = sampleCount(ds);
  const size = sampleSize(ds);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  const subjects = ds.subjects ? new Int32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`subset of ${ds.name}: index ${j} is outside 0..${n - 1}`);
    x.set(ds.x.subarray(j * size, (j + 1) * size), i * size);
    y[i] = ds.y[j];
    if (subjects) subjects[i] = ds.subjects![j];
  }
  const out: ArrayDataset = { name, x, xShape: [indices.length, ...ds.xShape.slice(1)], y, classes: ds.classes };
  if (subjects) out.subjects = subjects;
  return out;
}

/** Sample indices per class label, in dataset order. */
function indicesByClass(ds: ArrayDataset): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ds.y.length; i++) {
    const label = ds.y[i];
    let group = groups.get(label);
    if (!group) groups.set(label, (group = []));
    group.push(i);
  }
  return groups;
}

/** Splits `total` among groups in proportion to their sizes (largest remainder, so the sum is exact). */
function proportionalCounts(sizes: number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  if (all === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / all);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (counts[i] < sizes[i]) {
      counts[i]++;
      left--;
    }
  }
  return counts;
}

const ascending = (a: number, b: number) => a - b;

/**
 * The two disjoint halves a differentiable search needs: network weights train on `weight`, the
 * architecture parameters on `arch`. Stratified: each class is split evenly between the halves.
 * `searchSamples` (default: all) caps the total taken from `train`, keeping the class proportions.
 */
export function splitSearchData(train: ArrayDataset, opts: { seed: number; searchSamples?: number }): { weight: ArrayDataset; arch: ArrayDataset } {
  const n = sampleCount(train);
  const wanted = Math.min(n, Math.max(0, Math.floor(opts.searchSamples ?? n)));
  if (wanted < 2) throw new Error(`${train.name}: a search needs at least 2 samples, got ${wanted}`);
  const rng = new Rng(opts.seed);
  const groups = [...indicesByClass(train).entries()].sort((a, b) => a[0] - b[0]);
  const counts = proportionalCounts(
    groups.map(([, g]) => g.length),
    wanted,
  );
  const weight: number[] = [];
  const arch: number[] = [];
  // Alternating which half gets a class's odd sample keeps the halves within one sample of each other.
  let oddToWeight = true;
  groups.forEach(([, group], k) => {
    const picked = rng.shuffle(group.slice()) as number[];
    const take = counts[k];
    let half = Math.floor(take / 2);
    if (take % 2 === 1) {
      if (oddToWeight) half++;
      oddToWeight = !oddToWeight;
    }
    for (let i = 0; i < take; i++) (i < half ? weight : arch).push(picked[i]);
  });
  // Ascending order reads the source sequentially; batches() shuffles anyway.
  return {
    weight: subset(train, weight.sort(ascending), `${train.name} · weight half`),
    arch: subset(train, arch.sort(ascending), `${train.name} · arch half`),
  };
}

/**
 * Sets aside `fraction` of a dataset as its test set, for user data that came without one. With
 * `subjects` whole subjects are held out (no person in both sets); otherwise the split is stratified
 * by class.
 */
export function holdOut(ds: ArrayDataset, fraction: number, seed: number): { train: ArrayDataset; test: ArrayDataset } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`${ds.name}: the held-out fraction must be between 0 and 1, got ${fraction}`);
  const n = sampleCount(ds);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(n);
  const target = Math.max(1, Math.round(n * fraction));
  if (ds.subjects) {
    const bySubject = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const s = ds.subjects[i];
      let group = bySubject.get(s);
      if (!group) bySubject.set(s, (group = []));
      group.push(i);
    }
    const ids = [...bySubject.keys()].sort(ascending);
    if (ids.length < 2) throw new Error(`${ds.name}: holding out by subject needs at least 2 subjects, found ${ids.length}`);
    rng.shuffle(ids);
    let taken = 0;
    // Take subjects until the target is reached, always leaving at least one for training.
    for (let k = 0; k < ids.length - 1 && taken < target; k++) {
      for (const i of bySubject.get(ids[k])!) isTest[i] = 1;
      taken += bySubject.get(ids[k])!.length;
    }
  } else {
    const groups = [...indicesByClass(ds).entries()].sort((a, b) => a[0] - b[0]);
    const counts = proportionalCounts(
      groups.map(([, g]) => g.length),
      Math.min(target, n - 1),
    );
    groups.forEach(([, group], k) => {
      const picked = rng.shuffle(group.slice()) as number[];
      for (let i = 0; i < counts[k]; i++) isTest[picked[i]] = 1;
    });
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
  return { train: subset(ds, train, `${ds.name} · train`), test: subset(ds, test, `${ds.name} · held out`) };
}

/**
 * Index batches over one epoch, shuffled by `rng` (pass null for dataset order). The last batch is
 * smaller unless `dropLast`.
 */
export function* batches(ds: ArrayDataset, batchSize: number, rng: Rng | null, opts: { dropLast?: boolean } = {}): Generator<Int32Array> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const n = sampleCount(ds);
  let order: Int32Array;
  if (rng) order = rng.permutation(n);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (opts.dropLast && end - start < batchSize) break;
    yield order.subarray(start, end);
  }
}

/** The samples of one batch as flat arrays, ready for tf.tensor(x, xShape) in the caller's tidy. */
export function gatherBatch(ds: ArrayDataset, indices: ArrayLike<number>): { x: Float32Array; xShape: number[]; y: Int32Array } {
  const n = sampleCount(ds);
  const size = sampleSize(ds);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!(j >= 0 && j < n)) throw new Error(`batch of ${ds.name}: index ${j} is outside 0..${n - 1}`);
    x.set(ds.x.subarray(j * size, (j + 1) * size), i * size);
    y[i] = ds.y[j];
  }
  return { x, xShape: [indices.length, ...ds.xShape.slice(1)], y };
}
