import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import type { StepContext } from '../../../src-main/engine/parallel/replica.types.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

/** The small CNN as a replica (bench/models), the cheapest real model for data-parallel tests. */
export const SMALL_CNN_SPEC = { module: new URL('../../../bench/models/small-cnn.replica.ts', import.meta.url).href, options: { learningRate: 1e-3 } };

/** n random 28×28 "digits" with random labels, seeded. */
export function randomDigits(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * 28 * 28 }, () => rng.next());
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  return { name: 'random digits', x, xShape: [n, 28, 28, 1], y, classes: [...'0123456789'] };
}

export const stepContext = (step: number): StepContext => ({ step, epoch: 1, epochs: 1, totalSteps: 10, seed: 7 });
