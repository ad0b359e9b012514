import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import { deriveGenotype } from '../../../src-main/engine/derive/derive-genotype.js';
import { capSkips, normalSkipCount } from '../../../src-main/engine/search/collapse-guard.js';
import { PauseGate, RunCancelledError } from '../../../src-main/engine/search/run-control.js';
import { searchLoop, type SearchLoopOptions } from '../../../src-main/engine/search/search-loop.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';
import { randomImages, rowsSumToOne, tinySearch, tinyTask } from './search-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

describe('searchLoop', () => {
  for (const name of ['darts', 'gdas', 'pcdarts', 'fbnet'] as const) {
    it(`${name}: a tiny search returns valid alphas, a parseable genotype and epoch events`, async () => {
      const events: RunEvent[] = [];
      const options = tinySearch(name, { epochs: 2, onEvent: (e) => events.push(e), guard: 'none' });
      const before = options.supernet.alphaLogits('normal');
      const result = await searchLoop(options);
      expect(result.steps).toBe(4);
      expect(result.alphas.normal).toHaveLength(5);
      if (name !== 'pcdarts') expect(rowsSumToOne([...result.alphas.normal, ...(result.alphas.reduce ?? [])])).toBe(true);
      expect(parseGenotype(result.genotype).format).toBe('darts');
      expect(result.genotypeHistory).toHaveLength(2);
      expect(options.supernet.alphaLogits('normal')).not.toEqual(before);
      const epochs = events.filter((e) => e.type === 'epoch');
      expect(epochs).toHaveLength(2);
      expect(epochs[1]).toMatchObject({ type: 'epoch', genotype: result.genotypeHistory[1] });
      expect(events.filter((e) => e.type === 'step')).toHaveLength(4);
      if (name === 'fbnet') expect(result.expectedLatencyMs).toBeGreaterThan(0);
      options.supernet.dispose();
    });
  }

  it('other spaces: NB201 with GDAS, HAR 1-D with DARTS, chain with FBNet', async () => {
    const images = randomImages(16, 5);
    const windows = { name: 'windows', x: new Float32Array(16 * 16 * 3).map((_, i) => Math.sin(i)), xShape: [16, 16, 3], y: new Int32Array(16).map((_, i) => i % 3), classes: ['a', 'b', 'c'] };
    const cases = [
      { space: getSpace('nb201'), strategy: 'gdas' as const, task: tinyTask, data: images, format: 'nb201' },
      { space: getSpace('har1d', { nodes: 2 }), strategy: 'darts' as const, task: harTask(16, 3, 3), data: windows, format: 'darts' },
      { space: getSpace('chain', { blocks: 3 }), strategy: 'fbnet' as const, task: tinyTask, data: images, format: 'chain' },
    ];
    for (const c of cases) {
      const strategy = createStrategy(c.strategy, { space: c.space, seed: 1 });
      const supernet = new Supernet({ space: c.space, task: c.task, channels: 4, cells: 3, stemStride: 1, seed: 1, ...strategy.supernetOptions });
      const result = await searchLoop({ supernet, strategy, task: c.task, weightData: c.data, archData: c.data, epochs: 1, batchSize: 8, seed: 1, maxStepsPerEpoch: 1 });
      expect(parseGenotype(result.genotype).format).toBe(c.format);
      expect(rowsSumToOne(result.alphas.normal)).toBe(true);
      supernet.dispose();
    }
  });

  it('random: trains shared weights, keeps the best of the sampled candidates as one-hot alphas', async () => {
    const options = tinySearch('random', { randomCandidates: 3, candidateBatches: 1 });
    const alphasBefore = options.supernet.alphaLogits('normal');
    const result = await searchLoop(options);
    expect(options.supernet.alphaLogits('normal')).toEqual(alphasBefore);
    for (const row of result.alphas.normal) expect(row.filter((v) => v === 1).length + row.filter((v) => v === 0).length).toBe(row.length);
    expect(result.genotypeHistory).toEqual([result.genotype]);
    expect(result.guard.triggered).toBe(false);
    options.supernet.dispose();
  });

  it('keeps the tensor count flat from step to step', async () => {
    const counts: number[] = [];
    const options = tinySearch('gdas', {
      weightData: randomImages(48, 1, 'weight'),
      maxStepsPerEpoch: 5,
      guard: 'none',
      onEvent: (e) => {
        if (e.type === 'step') counts.push(tf.memory().numTensors);
      },
    });
    await searchLoop(options);
    expect(counts).toHaveLength(5);
    expect(counts[4]).toBe(counts[1]);
    options.supernet.dispose();
  });

  it('stops within one step when cancelled', async () => {
    const controller = new AbortController();
    let steps = 0;
    const options = tinySearch('darts', {
      maxStepsPerEpoch: 4,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step') {
          steps++;
          controller.abort();
        }
      },
    });
    await expect(searchLoop(options)).rejects.toBeInstanceOf(RunCancelledError);
    expect(steps).toBe(1);
    options.supernet.dispose();
  });

  it('waits while paused and continues on resume', async () => {
    const pause = new PauseGate();
    let steps = 0;
    const options = tinySearch('gdas', {
      pause,
      maxStepsPerEpoch: 3,
      onEvent: (e) => {
        if (e.type === 'step' && ++steps === 1) pause.pause();
      },
    });
    const run = searchLoop(options);
    await new Promise((r) => setTimeout(r, 300));
    expect(steps).toBe(1);
    pause.resume();
    await run;
    expect(steps).toBe(3);
    options.supernet.dispose();
  });

  it('throws a clear error naming the step when the loss is not finite', async () => {
    const bad = randomImages(16, 4, 'bad');
    for (let i = 0; i < 16; i++) bad.x[i * 64 + 5] = Number.NaN;
    const options = tinySearch('darts', { weightData: bad, archData: bad });
    await expect(searchLoop(options)).rejects.toThrow(/step 1 \(epoch 1\).*loss is NaN/);
    options.supernet.dispose();
  });
});

describe('collapse guard (skip-count early stop)', () => {
  const space = getSpace('darts', { nodes: 2 });
  const skip = space.primitives.indexOf('skip_connect');
  /** Moves every normal edge's skip_connect logit by `delta`: -10 rules it out, +10 makes it win everywhere. */
  const shiftSkip = (options: SearchLoopOptions, delta: number) => {
    const alpha = options.supernet.alphas.normal as tf.Variable<tf.Rank.R2>;
    const [edges, primitives] = alpha.shape;
    tf.tidy(() => alpha.assign(tf.add(alpha, tf.mul(tf.oneHot(tf.fill([edges], skip, 'int32') as tf.Tensor1D, primitives), delta))));
  };
  /** A search that starts without skips and is driven onto skip_connect after its first epoch. */
  const collapsingSearch = (guard: 'none' | 'skip-count-early-stop', events: RunEvent[] = []) => {
    const options: SearchLoopOptions = tinySearch('darts', {
      epochs: 3,
      guard,
      onEvent: (e) => events.push(e),
      onEpochEnd: (state) => {
        if (state.epoch === 0) shiftSkip(options, 20);
      },
    });
    shiftSkip(options, -10);
    return options;
  };

  it('without the guard this search collapses onto skip_connect', async () => {
    const options = collapsingSearch('none');
    const result = await searchLoop(options);
    expect(normalSkipCount(parseGenotype(result.genotypeHistory[0]))).toBe(0);
    expect(normalSkipCount(parseGenotype(result.genotype))).toBeGreaterThanOrEqual(2);
    expect(result.epochsRun).toBe(3);
    options.supernet.dispose();
  });

  it('with the guard it stops and keeps the last genotype before the collapse', async () => {
    const events: RunEvent[] = [];
    const options = collapsingSearch('skip-count-early-stop', events);
    const result = await searchLoop(options);
    expect(result.guard).toMatchObject({ method: 'skip-count-early-stop', triggered: true });
    expect(result.epochsRun).toBe(2);
    expect(normalSkipCount(parseGenotype(result.genotypeHistory[1]))).toBeGreaterThanOrEqual(2);
    expect(result.genotype).toBe(result.genotypeHistory[0]);
    expect(normalSkipCount(parseGenotype(result.genotype))).toBeLessThan(2);
    expect(normalSkipCount(deriveGenotype(result.alphas, space))).toBeLessThan(2);
    expect(events.some((e) => e.type === 'guard')).toBe(true);
    options.supernet.dispose();
  });

  it('caps skips when the first check already collapses', () => {
    const rows = Array.from({ length: 5 }, (_, e) => space.primitives.map((_, k) => (k === skip ? 0.5 : k === 4 ? 0.1 + e * 0.01 : 0.05)));
    const probs = { primitives: space.primitives, edges: space.topology.edges.map((e) => e.name), normal: rows, reduce: rows };
    expect(normalSkipCount(deriveGenotype(probs, space))).toBe(4);
    expect(normalSkipCount(deriveGenotype(capSkips(probs, space, 2), space))).toBe(1);
    expect(probs.normal[0][skip]).toBe(0.5);
  });
});
