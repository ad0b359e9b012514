import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { DataParallel } from '../../../src-main/engine/parallel/data-parallel.js';
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
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('DataParallel.loadState (a resumed retraining)', () => {
  let two: DataParallel;
  const batch = Int32Array.from({ length: 16 }, (_, i) => i);

  beforeAll(async () => {
    await selectBackend();
    two = (await DataParallel.create(SPEC, { train: randomDigits(16, 1) }, 2)).parallel;
  }, 120_000);
  afterAll(async () => await two?.close());

  it('puts weights and Adam state into every replica, so they stay identical after further steps', async () => {
    expect(two.replicas).toBe(2);
    for (let step = 0; step < 2; step++) await two.step('weights', 'train', batch, ctx(step));
    const weights = two.local.snapshot();
    const optimizer = two.local.optimizerState!();
    expect(optimizer.some((v) => v !== 0)).toBe(true);
    // Move on, then go back to the saved state as a resume would.
    for (let step = 2; step < 4; step++) await two.step('weights', 'train', batch, ctx(step));
    expect(same(two.local.snapshot(), weights)).toBe(false);
    await two.loadState(weights, optimizer);
    expect(same(two.local.snapshot(), weights)).toBe(true);
    expect(same(two.local.optimizerState!(), optimizer)).toBe(true);
    expect(same((await two.remoteSnapshots())[0], weights)).toBe(true);
    // Had the worker kept its own Adam moments and step counts, this step would part the replicas.
    await two.step('weights', 'train', batch, ctx(2));
    expect(same((await two.remoteSnapshots())[0], two.local.snapshot())).toBe(true);
  }, 60_000);

  it('refuses optimizer state of the wrong size with a message', async () => {
    expect(() => two.local.loadOptimizerState!(new Float32Array(3))).toThrow(/optimizer state holds 3 values, this model's Adam needs \d+ \(a different model\?\)/);
  });
});
