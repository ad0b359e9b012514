import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerDilatedConvGradients } from '../../../../src-main/engine/backend/dilated-conv-gradients.js';
import { rankRaceSearch, type RankRaceOptions } from '../../../../src-main/engine/search/rank/rank-race.js';
import { parseGenotype } from '../../../../src-main/engine/space/genotype.js';
import type { MacroOptions } from '../../../../src-main/engine/space/macro.js';
import { sampleGenotype } from '../../../../src-main/engine/space/sample-genotype.js';
import { getSpace } from '../../../../src-main/engine/space/spaces.js';
import { targetCheck } from '../../../../src-main/engine/targets/target-check.js';
import { TARGETS, type TargetSpec } from '../../../../src-main/engine/targets/targets.js';
import { Rng } from '../../../../src-main/engine/util/rng.js';
import { randomImages, tinyTask } from '../search-fixtures.js';

const macro: MacroOptions = { channels: 4, cells: 3, nodes: 2, stemMultiplier: 1, stemStride: 1, reductions: true };
const data = { train: randomImages(96, 1), validation: randomImages(48, 2), task: tinyTask };
const options: RankRaceOptions = { candidates: 6, proxyBatch: 16, raceSize: 4, raceSamples: 8, finalSamples: 48, raceBatch: 16, finalRound: { batchSize: 8, epochs: 1 }, seed: 3, replicas: 1 };
const space = getSpace('nb201');
const board = (sramBytes: number): TargetSpec => ({ ...TARGETS['cortex-m4'], name: 'a small test board', sramBytes, flashBytes: null });

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

describe('rankRaceSearch on a target', () => {
  it('drops the candidates whose arena is over the SRAM limit before ranking, and draws others in their place', async () => {
    // A limit at the median arena of 30 cells drawn apart from the search: about half of all cells are over it.
    const probe = targetCheck(board(Number.MAX_SAFE_INTEGER), tinyTask, macro);
    const rng = new Rng(11);
    const arenas = Array.from({ length: 30 }, () => probe.cost(sampleGenotype(space, rng)).arenaBytes).sort((a, b) => a - b);
    const limit = arenas[15];
    expect(arenas[29]).toBeGreaterThan(limit);
    const check = targetCheck(board(limit), tinyTask, macro);
    const found = await rankRaceSearch(space, data, macro, { ...options, target: check });
    const { decision } = found;
    expect(decision.droppedForTarget).toBeGreaterThan(0);
    expect(decision.sampled).toBe(options.candidates);
    for (const g of [...decision.ranked.map((c) => c.genotype), ...decision.race.map((r) => r.genotype), found.genotype]) {
      expect(check.cost(parseGenotype(g)).arenaBytes).toBeLessThanOrEqual(limit);
    }
    // Without a target nothing is dropped, and some of the cells it ranks would not have fitted.
    const free = await rankRaceSearch(space, data, macro, options);
    expect(free.decision.droppedForTarget).toBeUndefined();
    expect(free.decision.ranked.some((c) => check.cost(parseGenotype(c.genotype)).arenaBytes > limit)).toBe(true);
  });

  it('fails naming the target and its limits when no candidate fits', async () => {
    const check = targetCheck(board(1024), tinyTask, macro);
    await expect(rankRaceSearch(space, data, macro, { ...options, candidates: 3, target: check })).rejects.toThrow(
      /None of the \d+ nb201 architectures drawn fits a small test board: the closest needs arena [\d.]+ KB > 1\.0 KB SRAM/,
    );
  });
});
