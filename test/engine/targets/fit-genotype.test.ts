import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import { macroOptionsFor } from '../../../src-main/engine/search/macro-options.js';
import { resolveConfig } from '../../../src-main/engine/search/presets.js';
import { runSearchPhase } from '../../../src-main/engine/search/search-phase.js';
import { formatGenotype, parseGenotype } from '../../../src-main/engine/space/genotype.js';
import type { MacroOptions } from '../../../src-main/engine/space/macro.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import type { AlphaProbs, DartsGenotype } from '../../../src-main/engine/space/space.types.js';
import { fitGenotype } from '../../../src-main/engine/targets/fit-genotype.js';
import { targetCheck } from '../../../src-main/engine/targets/target-check.js';
import { TARGETS, type TargetSpec } from '../../../src-main/engine/targets/targets.js';
import { randomImages, tinyTask } from '../search/search-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

const space = getSpace('darts', { nodes: 2 });
const macro: MacroOptions = { channels: 4, cells: 3, nodes: 2, stemMultiplier: 1, stemStride: 1, reductions: true };
const tight = (limits: Partial<TargetSpec>): TargetSpec => ({ ...TARGETS['cortex-m4'], name: 'a tight test board', sramBytes: null, flashBytes: null, ...limits });

// Every slot of both cells holds sep_conv_5x5, except normal slot 0 (dil_conv_5x5, whose runner-up sep_conv_5x5 is dearer).
const genotype = parseGenotype(
  "Genotype(normal=[('dil_conv_5x5', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2)], normal_concat=[2, 3], " +
    "reduce=[('sep_conv_5x5', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 0), ('sep_conv_5x5', 2)], reduce_concat=[2, 3])",
) as DartsGenotype;
const slotEdges = { normal: ['2<-0', '2<-1', '3<-1', '3<-2'], reduce: ['2<-0', '2<-1', '3<-0', '3<-2'] };
// The lead of each slot's op over the next op: distinct, so the order of the swaps is known.
const margins = { normal: [0.01, 0.3, 0.05, 0.2], reduce: [0.25, 0.03, 0.15, 0.1] };
// What a swap to dil_conv_3x3 gives up: the margin, except on normal 2<-0 (0.41 against 0.395).
const losses = { normal: [0.015, 0.3, 0.05, 0.2], reduce: margins.reduce };

/** Probabilities where each slot's op leads by its margin; next come sep_conv_5x5 (slot 0 of normal only), then dil_conv_3x3. */
function probsFor(): AlphaProbs {
  const edges = space.topology.edges.map((e) => e.name);
  const rows = (cell: 'normal' | 'reduce') =>
    edges.map((edge) => {
      const row = space.primitives.map(() => 0.01);
      const slot = slotEdges[cell].indexOf(edge);
      if (slot < 0) return row;
      const op = genotype[cell].ops[slot][0];
      const next = op === 'dil_conv_5x5' ? 'sep_conv_5x5' : 'dil_conv_3x3';
      row[space.primitives.indexOf(next)] = 0.4;
      if (next !== 'dil_conv_3x3') row[space.primitives.indexOf('dil_conv_3x3')] = 0.395;
      row[space.primitives.indexOf(op)] = 0.4 + margins[cell][slot];
      return row;
    });
  return { primitives: space.primitives, edges, normal: rows('normal'), reduce: rows('reduce') };
}

describe('fitGenotype', () => {
  const probs = probsFor();
  // Costed once the backend is set (building a model at collection time would find none ready).
  let original: ReturnType<ReturnType<typeof targetCheck>['cost']>;
  let cheapest: typeof original;
  beforeAll(() => {
    const free = targetCheck(tight({}), tinyTask, macro);
    original = free.cost(genotype);
    cheapest = free.cost(parseGenotype(formatGenotype(genotype).replaceAll('sep_conv_5x5', 'dil_conv_3x3').replace('dil_conv_5x5', 'dil_conv_3x3')));
  });

  it('swaps the ops that give up the least probability for their next-most-likely cheaper op, and stops as soon as the model fits', () => {
    const limit = Math.round(original.flashBytes - 0.35 * (original.flashBytes - cheapest.flashBytes));
    const check = targetCheck(tight({ flashBytes: limit }), tinyTask, macro);
    expect(check.fits(genotype)).toBe(false);
    const fitted = fitGenotype(genotype, probs, space, check, macro);
    expect(check.fits(fitted.genotype)).toBe(true);
    expect(fitted.changes.length).toBeGreaterThan(0);
    // Every change goes to dil_conv_3x3: normal 2<-0 skips its dearer runner-up sep_conv_5x5.
    expect(fitted.changes.every((c) => c.endsWith('→ dil_conv_3x3'))).toBe(true);
    expect(fitted.changes).toContain('normal 2<-0: dil_conv_5x5 → dil_conv_3x3');
    // The changed slots are the ones that give up the least probability, and one fewer would not fit.
    const byLoss = (['normal', 'reduce'] as const)
      .flatMap((cell) => losses[cell].map((loss, slot) => ({ cell, slot, loss })))
      .sort((a, b) => a.loss - b.loss);
    const changed = byLoss.slice(0, fitted.changes.length);
    for (const { cell, slot } of changed) expect(fitted.changes.some((c) => c.startsWith(`${cell} ${slotEdges[cell][slot]}:`))).toBe(true);
    const oneFewer = structuredClone(genotype);
    for (const { cell, slot } of changed.slice(0, -1)) oneFewer[cell].ops[slot][0] = 'dil_conv_3x3';
    expect(check.fits(oneFewer)).toBe(false);
  });

  it('meets a tight SRAM limit the same way (the arena grows with every op the model runs)', () => {
    const limit = Math.round(original.arenaBytes - 0.5 * (original.arenaBytes - cheapest.arenaBytes));
    const check = targetCheck(tight({ sramBytes: limit }), tinyTask, macro);
    const fitted = fitGenotype(genotype, probs, space, check, macro);
    expect(fitted.changes.length).toBeGreaterThan(0);
    expect(check.cost(fitted.genotype).arenaBytes).toBeLessThanOrEqual(limit);
  });

  it('leaves a genotype that fits as it is', () => {
    const fitted = fitGenotype(genotype, probs, space, targetCheck(TARGETS['cortex-m4'], tinyTask, macro), macro);
    expect(fitted.changes).toEqual([]);
    expect(formatGenotype(fitted.genotype)).toBe(formatGenotype(genotype));
  });

  it('fails naming the target and its limits when no swap can make it fit', () => {
    const check = targetCheck(tight({ sramBytes: 2048 }), tinyTask, macro);
    expect(() => fitGenotype(genotype, probs, space, check, macro)).toThrow(/No darts cell the search can derive fits a tight test board: the closest needs arena .* > 2\.0 KB SRAM/);
  });
});

describe('gradient and random searches on a tight target', () => {
  const m4 = { ...TARGETS['cortex-m4'] };
  afterEach(() => Object.assign(TARGETS['cortex-m4'], m4));
  const data = { task: tinyTask, train: randomImages(64, 1), validation: randomImages(32, 2), test: randomImages(16, 3), dataset: 'random' };

  for (const strategy of ['darts', 'gdas', 'random'] as const) {
    it(`${strategy}: the derived genotype gives way to cheaper ops until it fits the target's flash`, async () => {
      const config = resolveConfig({ space: 'nb201', strategy, epochs: 1, batchSize: 8, channels: 4, cells: 1, workers: 1, seed: 1, searchSamples: 0 });
      const derived = macroOptionsFor(config, tinyTask);
      const onHost = await runSearchPhase(config, data, derived, {});
      expect(onHost.targetAdjustments).toBeUndefined();
      const before = targetCheck(TARGETS['cortex-m4'], tinyTask, derived).cost(parseGenotype(onHost.genotype));
      // The same search (same seed) for a board with one byte less flash than its cell needs.
      TARGETS['cortex-m4'].flashBytes = before.flashBytes - 1;
      const onBoard = await runSearchPhase({ ...config, target: 'cortex-m4' }, data, derived, {});
      expect(onBoard.targetAdjustments?.length).toBeGreaterThan(0);
      expect(onBoard.genotype).not.toBe(onHost.genotype);
      const after = targetCheck(TARGETS['cortex-m4'], tinyTask, derived).cost(parseGenotype(onBoard.genotype));
      expect(after.flashBytes).toBeLessThanOrEqual(TARGETS['cortex-m4'].flashBytes!);
      expect(onBoard.alphas).toEqual(onHost.alphas);
    });
  }
});

describe('the size budget (maxParams) is honoured by every strategy, as a limit like SRAM and flash', () => {
  const data = { task: tinyTask, train: randomImages(64, 1), validation: randomImages(32, 2), test: randomImages(16, 3), dataset: 'random' };

  for (const strategy of ['darts', 'gdas', 'random', 'rank-race'] as const) {
    it(`${strategy}: the searched cell ends within a budget one parameter below what it found without one`, async () => {
      const config = resolveConfig({ space: 'nb201', strategy, epochs: 1, batchSize: 8, channels: 4, cells: 1, workers: 1, seed: strategy === 'random' ? 3 : 2, searchSamples: 0, candidates: 6, raceSize: 3, raceSamples: 16 });
      const derived = macroOptionsFor(config, tinyTask);
      const free = await runSearchPhase(config, data, derived, {});
      const sizeOf = (g: string) => targetCheck(TARGETS.host, tinyTask, derived).cost(parseGenotype(g)).params;
      const params = sizeOf(free.genotype);
      // The smallest NB201 cell (one skip from input to output) bounds what any budget can buy.
      expect(params).toBeGreaterThan(sizeOf('|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'));
      const budget = params - 1;
      const bounded = await runSearchPhase({ ...config, maxParams: budget }, data, derived, {});
      expect(bounded.genotype).not.toBe(free.genotype);
      expect(targetCheck(TARGETS.host, tinyTask, derived).cost(parseGenotype(bounded.genotype)).params).toBeLessThanOrEqual(budget);
    });
  }

  it('a budget nothing meets stops the search, naming the budget', async () => {
    const config = resolveConfig({ space: 'nb201', strategy: 'random', epochs: 1, batchSize: 8, channels: 4, cells: 1, workers: 1, seed: 1, searchSamples: 0, maxParams: 10 });
    await expect(runSearchPhase(config, data, macroOptionsFor(config, tinyTask), {})).rejects.toThrow(/fits the size budget of 10 parameters: the closest needs [\d,]+ parameters/);
  });
});
