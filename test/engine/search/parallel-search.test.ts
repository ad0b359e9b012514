import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { DataParallel } from '../../../src-main/engine/parallel/data-parallel.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { searchLoop } from '../../../src-main/engine/search/search-loop.js';
import { SupernetReplica, supernetReplicaSpec, type SupernetReplicaOptions } from '../../../src-main/engine/search/supernet.replica.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

function randomImages(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  return {
    name: 'random 8×8',
    x: Float32Array.from({ length: n * 64 }, () => rng.next()),
    xShape: [n, 8, 8, 1],
    y: Int32Array.from({ length: n }, () => rng.int(3)),
    classes: ['a', 'b', 'c'],
  };
}

const OPTIONS: SupernetReplicaOptions = {
  space: 'darts',
  nodes: 2,
  task: 'classification',
  strategy: 'gdas',
  channels: 4,
  cells: 3,
  stemMultiplier: 2,
  stemStride: 1,
  seed: 5,
  totalSteps: 6,
  epochs: 1,
  weightOptimizer: 'sgd',
  lrW: 0.05,
  lrWMin: 0.001,
  lrA: 3e-3,
  weightDecay: 3e-4,
  archWeightDecay: 1e-3,
  gradClip: 5,
  guard: 'none',
};

describe('data-parallel search over worker threads', () => {
  const datasets = { weight: randomImages(32, 1), arch: randomImages(32, 2) };
  let parallel: DataParallel;
  let local: SupernetReplica;

  beforeAll(async () => {
    await selectBackend();
    local = SupernetReplica.fromOptions(OPTIONS, datasets);
    parallel = (await DataParallel.withLocal(local, supernetReplicaSpec(OPTIONS), datasets, 2)).parallel;
  }, 120_000);

  afterAll(async () => {
    await parallel?.close();
  });

  it('keeps weights, alphas, both optimizers and the sampling stream identical across replicas', async () => {
    expect(parallel.replicas).toBe(2);
    const batch = Int32Array.from({ length: 16 }, (_, i) => i);
    for (let step = 0; step < 3; step++) {
      const ctx = { step, epoch: 0, epochs: 1, totalSteps: 6, seed: 5 };
      const a = await parallel.step('alphas', 'arch', batch, ctx);
      const w = await parallel.step('weights', 'weight', batch, ctx);
      expect(Number.isFinite(a.loss) && Number.isFinite(w.loss)).toBe(true);
    }
    const [remote] = await parallel.remoteSnapshots();
    const mine = await local.snapshot();
    expect(remote.length).toBe(mine.length);
    let maxDiff = 0;
    for (let i = 0; i < mine.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mine[i] - remote[i]));
    expect(maxDiff).toBe(0);
  });

  it('runs a whole search loop on two threads', async () => {
    const space = getSpace('darts', { nodes: 2 });
    const task = classificationTask([8, 8, 1], 3);
    const strategy = createStrategy('gdas', { space, seed: 5 });
    const supernet = new Supernet({ space, task, channels: 4, cells: 3, stemMultiplier: 2, stemStride: 1, seed: 5 });
    const { spec } = { spec: supernetReplicaSpec({ space: 'darts', nodes: 2, task: 'classification', strategy: 'gdas', channels: 4, cells: 3, stemMultiplier: 2, stemStride: 1 }) };
    const result = await searchLoop({
      supernet,
      strategy,
      task,
      weightData: datasets.weight,
      archData: datasets.arch,
      epochs: 2,
      batchSize: 16,
      seed: 5,
      guard: 'none',
      parallel: { spec, replicas: 2 },
    });
    expect(result.steps).toBe(4);
    for (const row of result.alphas.normal) expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
    expect(result.genotype).toMatch(/^Genotype\(normal=/);
    supernet.dispose();
    strategy.dispose?.();
  }, 120_000);
});
