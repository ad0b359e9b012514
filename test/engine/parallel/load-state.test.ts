import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { DataParallel } from '../../../src-main/engine/parallel/data-parallel.js';
import { randomDigits, SMALL_CNN_SPEC, stepContext } from './parallel-fixtures.js';

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('DataParallel.loadState (a resumed retraining)', () => {
  let two: DataParallel;
  const batch = Int32Array.from({ length: 16 }, (_, i) => i);

  beforeAll(async () => {
    await selectBackend();
    two = (await DataParallel.create(SMALL_CNN_SPEC, { train: randomDigits(16, 1) }, 2)).parallel;
  }, 120_000);
  afterAll(async () => await two?.close());

  it('puts weights and Adam state into every replica, so they stay identical after further steps', async () => {
    expect(two.replicas).toBe(2);
    for (let step = 0; step < 2; step++) await two.step('weights', 'train', batch, stepContext(step));
    const weights = await two.local.snapshot();
    const optimizer = await two.local.optimizerState!();
    expect(optimizer.some((v) => v !== 0)).toBe(true);
    // Move on, then go back to the saved state as a resume would.
    for (let step = 2; step < 4; step++) await two.step('weights', 'train', batch, stepContext(step));
    expect(same(await two.local.snapshot(), weights)).toBe(false);
    await two.loadState(weights, optimizer);
    expect(same(await two.local.snapshot(), weights)).toBe(true);
    expect(same(await two.local.optimizerState!(), optimizer)).toBe(true);
    expect(same((await two.remoteSnapshots())[0], weights)).toBe(true);
    // Had the worker kept its own Adam moments and step counts, this step would part the replicas.
    await two.step('weights', 'train', batch, stepContext(2));
    expect(same((await two.remoteSnapshots())[0], await two.local.snapshot())).toBe(true);
  }, 60_000);

  it('refuses optimizer state of the wrong size with a message', async () => {
    expect(() => two.local.loadOptimizerState!(new Float32Array(3))).toThrow(/optimizer state holds 3 values, this model's Adam needs \d+ \(a different model\?\)/);
  });
});
