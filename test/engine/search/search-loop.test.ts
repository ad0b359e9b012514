import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import { deriveGenotype } from '../../../src-main/engine/derive/derive-genotype.js';
import { capSkips, normalCellSkips, normalSkipCount } from '../../../src-main/engine/search/collapse-guard.js';
import { PauseGate, RunCancelledError } from '../../../src-main/engine/search/run-control.js';
import { searchLoop } from '../../../src-main/engine/search/search-loop.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import type { AlphaProbs } from '../../../src-main/engine/space/space.types.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';
import { randomImages, rowsSumToOne, textureImages, tinySearch, tinyTask } from './search-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

describe('searchLoop', () => {
  for (const name of ['darts', 'gdas', 'pcdarts', 'fbnet'] as const) {
    it(`${name}: a tiny search returns valid alphas, a parseable genotype and epoch events`, async () => {
      const events: RunEvent[] = [];
      const options = tinySearch(name, { epochs: 2, onEvent: (e) => events.push(e), guard: 'none' });
      const before = await options.supernet.alphaLogits('normal');
      const result = await searchLoop(options);
      expect(result.steps).toBe(4);
      expect(result.alphas.normal).toHaveLength(5);
      if (name !== 'pcdarts') expect(rowsSumToOne([...result.alphas.normal, ...(result.alphas.reduce ?? [])])).toBe(true);
      expect(parseGenotype(result.genotype).format).toBe('darts');
      expect(result.genotypeHistory).toHaveLength(2);
      expect(await options.supernet.alphaLogits('normal')).not.toEqual(before);
      const epochs = events.filter((e) => e.type === 'epoch');
      expect(epochs).toHaveLength(2);
      expect(epochs[1]).toMatchObject({ type: 'epoch', genotype: result.genotypeHistory[1] });
      expect(events.filter((e) => e.type === 'step')).toHaveLength(4);
      if (name === 'fbnet') expect(result.expectedLatencyMs).toBeGreaterThan(0);
      options.supernet.dispose();
    });
  }

  for (const name of ['darts', 'gdas', 'pcdarts', 'fbnet'] as const) {
    it(`${name} under every collapse guard, weights on Adam as searches run: DARTS- and β-DARTS change the alphas, the early stop does not`, async () => {
      const logits: Record<string, number[][]> = {};
      for (const guard of ['none', 'skip-count-early-stop', 'darts-minus', 'beta-darts'] as const) {
        const options = tinySearch(name, { guard, weightOptimizer: 'adam' });
        const result = await searchLoop(options);
        expect(result.steps).toBe(2);
        expect(parseGenotype(result.genotype).format).toBe('darts');
        expect(result.guard).toMatchObject({ method: guard, triggered: false });
        logits[guard] = await options.supernet.alphaLogits('normal');
        options.supernet.dispose();
      }
      expect(logits['skip-count-early-stop']).toEqual(logits.none);
      expect(logits['darts-minus']).not.toEqual(logits.none);
      expect(logits['beta-darts']).not.toEqual(logits.none);
    });
  }

  it('random search runs under a guard as under none: it trains no alphas', async () => {
    const options = tinySearch('random', { guard: 'darts-minus', randomCandidates: 2, candidateBatches: 1 });
    const result = await searchLoop(options);
    expect(result.guard).toMatchObject({ method: 'none', triggered: false, message: expect.stringMatching(/trains no alphas/) });
    options.supernet.dispose();
  });

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
    const alphasBefore = await options.supernet.alphaLogits('normal');
    const result = await searchLoop(options);
    expect(await options.supernet.alphaLogits('normal')).toEqual(alphasBefore);
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
  /**
   * A search that collapses by itself (nothing touches its alphas): RobustDARTS' S3 space (none,
   * skip_connect, sep_conv_3x3; Zela et al. 2020 built it to expose this failure), 6×6 texture images at
   * full resolution, and a high arch learning rate (0.3: DARTS uses 3e-4, searches size theirs to at most
   * 0.05) after the usual 30 % weights-only warm-up. Seeded: with seed 1 the normal cell ends all
   * skip_connect, three of them settled (other seeds collapse less or later).
   */
  const collapsing = () => {
    const s3 = { ...space, primitives: ['none', 'skip_connect', 'sep_conv_3x3'] };
    const task = classificationTask([6, 6, 1], 4);
    const strategy = createStrategy('darts', { space: s3, seed: 1 });
    const supernet = new Supernet({ space: s3, task, channels: 4, cells: 3, stemStride: 1, seed: 1 });
    const options = { supernet, strategy, task, weightData: textureImages(32, 1), archData: textureImages(32, 11), epochs: 3, batchSize: 8, seed: 1, maxStepsPerEpoch: 4 };
    return { s3, options: { ...options, lrA: 0.3, warmupFraction: 0.3, lrW: 3e-3, weightOptimizer: 'adam' as const } };
  };

  it('without the guard the search settles on skip_connect across the normal cell', async () => {
    const { s3, options } = collapsing();
    const probs: AlphaProbs[] = [];
    const result = await searchLoop({ ...options, guard: 'none', onEvent: (e) => e.type === 'epoch' && e.alphas && probs.push(e.alphas) });
    expect(result.epochsRun).toBe(3);
    const end = normalCellSkips(result.alphas, s3);
    expect(end.decided.length).toBeGreaterThanOrEqual(3);
    expect(normalSkipCount(parseGenotype(result.genotype))).toBe(4);
    // After epoch 1 the argmax already shows skips, but no edge has decided: no finding yet.
    expect(normalSkipCount(parseGenotype(result.genotypeHistory[0]))).toBeGreaterThanOrEqual(2);
    expect(normalCellSkips(probs[0], s3).decided).toEqual([]);
    expect(result.guard.triggered).toBe(false);
    options.supernet.dispose();
  });

  it('with the guard it waits for settled skips, stops, and keeps the genotype before the collapse', async () => {
    const { s3, options } = collapsing();
    const events: RunEvent[] = [];
    const result = await searchLoop({ ...options, guard: 'skip-count-early-stop', onEvent: (e) => events.push(e) });
    expect(result.guard).toMatchObject({ method: 'skip-count-early-stop', triggered: true });
    // Not after epoch 1, whose argmax skips were undecided (the old argmax count stopped there).
    expect(result.epochsRun).toBe(2);
    expect(result.genotype).toBe(result.genotypeHistory[0]);
    expect(normalCellSkips(result.alphas, s3).decided.length).toBeLessThan(2);
    expect(result.guard.message).toMatch(/^Stopped after epoch 2 of 3: the normal cell had settled on skip_connect on [23] edges \(2<-1 by 0\.\d\d, .*settled means a lead of at least 0\.50 over the edge's next op\).*kept the genotype of epoch 1\.$/);
    expect(events.filter((e) => e.type === 'guard')).toEqual([{ type: 'guard', message: result.guard.message }]);
    options.supernet.dispose();
  });

  it('near-uniform alphas never trigger it, and its message claims no finding', async () => {
    // DARTS' own arch learning rate over a few steps: alphas within 0.001 of uniform, as quick searches once were.
    const options = tinySearch('darts', { guard: 'skip-count-early-stop', epochs: 2, lrA: 3e-4 });
    const result = await searchLoop(options);
    expect(result.guard.triggered).toBe(false);
    expect(normalCellSkips(result.alphas, space).largestLead).toBeLessThan(0.01);
    expect(result.guard.message).toMatch(/^Not triggered: the alphas had not decided \(the largest lead .* was 0\.\d{3}; settling needs 0\.14\)/);
    expect(result.guard.message).not.toMatch(/collaps/);
    options.supernet.dispose();
  });

  it('counts a skip only when it leads its edge by 1/K: argmax ties of near-uniform rows are not counted', () => {
    const uniform = space.primitives.map(() => 1 / 8);
    const tilted = uniform.map((p, k) => (k === skip ? p + 0.001 : p));
    const rows = space.topology.edges.map(() => tilted);
    const probs = { primitives: space.primitives, edges: space.topology.edges.map((e) => e.name), normal: rows, reduce: rows };
    expect(normalSkipCount(deriveGenotype(probs, space))).toBe(4);
    expect(normalCellSkips(probs, space)).toMatchObject({ chosen: 4, decided: [], margin: 1 / 7 });
    // About twice the runner-up's weight (0.25 against 0.107 each) is decided.
    const decided = space.primitives.map((_, k) => (k === skip ? 0.25 : 0.75 / 7));
    expect(normalCellSkips({ ...probs, normal: rows.map((r, e) => (e === 0 ? decided : r)) }, space).decided.map((d) => d.edge)).toEqual(['2<-0']);
  });

  it('caps skips when the first check already collapses', () => {
    const rows = Array.from({ length: 5 }, (_, e) => space.primitives.map((_, k) => (k === skip ? 0.5 : k === 4 ? 0.1 + e * 0.01 : 0.05)));
    const probs = { primitives: space.primitives, edges: space.topology.edges.map((e) => e.name), normal: rows, reduce: rows };
    expect(normalSkipCount(deriveGenotype(probs, space))).toBe(4);
    expect(normalSkipCount(deriveGenotype(capSkips(probs, space, 2), space))).toBe(1);
    expect(probs.normal[0][skip]).toBe(0.5);
  });
});
