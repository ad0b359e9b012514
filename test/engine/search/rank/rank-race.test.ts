import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RankRaceDecision } from '../../../../src-main/contract/decision.js';
import type { RunEvent } from '../../../../src-main/contract/events.js';
import { registerDilatedConvGradients } from '../../../../src-main/engine/backend/dilated-conv-gradients.js';
import { logDetPsd, naswotScore } from '../../../../src-main/engine/search/rank/naswot.js';
import { raceVerdict } from '../../../../src-main/engine/search/rank/race-verdict.js';
import { rankRaceSearch, type RankRaceOptions } from '../../../../src-main/engine/search/rank/rank-race.js';
import { RunCancelledError } from '../../../../src-main/engine/search/run-control.js';
import { parseGenotype } from '../../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../../src-main/engine/space/spaces.js';
import type { MacroOptions } from '../../../../src-main/engine/space/macro.js';
import { randomImages, tinyTask } from '../search-fixtures.js';

const macro: MacroOptions = { channels: 4, cells: 3, nodes: 2, stemMultiplier: 1, stemStride: 1, reductions: true };
const data = { train: randomImages(96, 1), validation: randomImages(48, 2), task: tinyTask };
const options = (over: Partial<RankRaceOptions> = {}): RankRaceOptions => ({ candidates: 6, proxyBatch: 16, raceSize: 4, raceSamples: 8, finalSamples: 48, raceBatch: 16, finalRound: { batchSize: 8, epochs: 2 }, seed: 3, replicas: 1, ...over });

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

describe('logDetPsd', () => {
  it('is the log-determinant of a positive definite matrix, and -Infinity for a singular one', () => {
    expect(logDetPsd(Float64Array.from([1, 0, 0, 1]), 2)).toBeCloseTo(0, 12);
    expect(logDetPsd(Float64Array.from([4, 2, 2, 3]), 2)).toBeCloseTo(Math.log(8), 12);
    expect(logDetPsd(Float64Array.from([1, 1, 1, 1]), 2)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('naswotScore', () => {
  it('is finite, replays for the same seed, tells two cells apart and leaves no tensor behind', async () => {
    const input = tf.tensor(data.train.x.slice(0, 16 * 64), [16, 8, 8, 1]);
    const conv = parseGenotype('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    const pools = parseGenotype('|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|');
    const before = tf.memory().numTensors;
    const a = await naswotScore(conv, tinyTask, { ...macro, seed: 0 }, input);
    expect(await naswotScore(conv, tinyTask, { ...macro, seed: 0 }, input)).toBe(a);
    const b = await naswotScore(pools, tinyTask, { ...macro, seed: 0 }, input);
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
    expect(a).not.toBe(b);
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});

describe('raceVerdict', () => {
  const entry = (validation: number) => ({ genotype: 'g', rung: 2, samples: 1000, validation });
  it('calls a lead of two standard errors decided, one partly, and less undecided, in plain words', () => {
    // n = 5000, p = 0.8: the standard error of a difference is √(2·0.16/5000) = 0.008.
    expect(raceVerdict(entry(0.8), entry(0.78), 5000, 'accuracy').verdict).toBe('decided');
    expect(raceVerdict(entry(0.8), entry(0.79), 5000, 'accuracy').verdict).toBe('partly');
    const close = raceVerdict(entry(0.8), entry(0.797), 5000, 'accuracy');
    expect(close.verdict).toBe('undecided');
    expect(close.message).toMatch(/cannot separate/);
    expect(raceVerdict(entry(31.2), entry(31.0), 100, 'psnr').verdict).toBe('decided');
  });
});

describe('rankRaceSearch', () => {
  it('ranks every candidate, races the best by halving, and ends with a final decision and a winner from the race', async () => {
    const events: RunEvent[] = [];
    const before = tf.memory().numTensors;
    const found = await rankRaceSearch(getSpace('nb201'), data, macro, { ...options(), onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    const { decision } = found;
    expect(decision.sampled).toBe(6);
    expect(decision.ranked).toHaveLength(4);
    // The ranked list is the best four by score, in order.
    expect(decision.ranked.map((c) => c.score)).toEqual([...decision.ranked.map((c) => c.score)].sort((x, y) => y - x));
    // 4 candidates on 8 images, then 2 finalists on six times as many.
    expect(decision.race.map((r) => [r.rung, r.samples])).toEqual([[0, 8], [0, 8], [0, 8], [0, 8], [1, 48], [1, 48]]);
    const finalists = decision.race.filter((r) => r.rung === 1);
    const rung0 = decision.race.filter((r) => r.rung === 0).sort((a, b) => b.validation - a.validation);
    expect(finalists.map((r) => r.genotype).sort()).toEqual(rung0.slice(0, 2).map((r) => r.genotype).sort());
    expect(found.genotype).toBe([...finalists].sort((a, b) => b.validation - a.validation)[0].genotype);
    expect(decision.winner).toBe(found.genotype);
    expect(decision.final).toBe(true);
    expect(['decided', 'partly', 'undecided']).toContain(decision.verdict);
    // Live: decisions as it forms, progress that only grows and ends complete.
    const live = events.filter((e): e is Extract<RunEvent, { type: 'decision' }> => e.type === 'decision');
    expect(live.length).toBeGreaterThan(3);
    const done = live.map((e) => e.progress!.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(live.at(-1)!.progress!.done).toBe(live.at(-1)!.progress!.total);
    expect((live.at(-1)!.decision as RankRaceDecision).final).toBe(true);
    expect(live.slice(0, -1).every((e) => !(e.decision as RankRaceDecision).final)).toBe(true);
  });

  it('replays the same decision from the same seed', async () => {
    const a = await rankRaceSearch(getSpace('darts', { nodes: 2 }), data, macro, options({ candidates: 4, raceSize: 2 }));
    const b = await rankRaceSearch(getSpace('darts', { nodes: 2 }), data, macro, options({ candidates: 4, raceSize: 2 }));
    expect(b.decision.race).toEqual(a.decision.race);
    expect(b.genotype).toBe(a.genotype);
  });

  it('stops on cancel with RunCancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(rankRaceSearch(getSpace('nb201'), data, macro, { ...options(), signal: controller.signal })).rejects.toBeInstanceOf(RunCancelledError);
  });
});
