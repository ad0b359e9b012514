/**
 * How well the race's first round orders the ground-truth cells, for a few first-round budgets: each of the
 * NB201 ground truth's cells is trained from scratch on the searchable images with the budget and scored on
 * the ground truth's validation split; Kendall τ against its ground-truth accuracy (seed 0, and the mean of
 * seeds 0 and 1). Results in bench/results/race-budget.json (scores per cell, for replay-pipelines.py).
 *
 *   npx tsx bench/search-quality/race-budget.bench.ts [--count 60] [--out FILE]     # ~3 min per budget per 60 cells here
 *
 * Resumable: a budget already scored for the same cells is kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { BN_RECALIBRATION_BATCHES } from '../../src-main/engine/derive/retrain.js';
import { RACE_BATCH } from '../../src-main/engine/search/rank/rank-race-phase.js';
import { trainAndScore } from '../../src-main/engine/search/rank/train-and-score.js';
import { writeJsonAtomic } from '../../src-main/engine/util/atomic-write.js';
import { readGroundTruth } from './groundtruth.bench.js';
import { kendallTau } from './rank-correlation.js';
import { benchData, GROUND_TRUTH_MODEL } from './setup.js';

const argument = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const FILE = argument('out') ?? 'bench/results/race-budget.json';
const BUDGETS: Record<string, { samples: number; recalibrate: boolean }> = {
  '1500': { samples: 1_500, recalibrate: false },
  '1500-recalibrated': { samples: 1_500, recalibrate: true },
  '3000-recalibrated': { samples: 3_000, recalibrate: true },
};

await selectBackend();
const data = benchData();
const truth = readGroundTruth()?.spaces.nb201;
if (!truth) throw new Error('No NB201 ground truth: run npm run bench:groundtruth first.');
const rows = truth.rows.slice(0, Number(argument('count') ?? truth.rows.length));
const twoSeeds = rows.map((r) => {
  const repeat = truth.repeats.find((x) => x.genotype === r.genotype);
  return repeat ? (r.accuracy + repeat.accuracy) / 2 : r.accuracy;
});
type Saved = { genotypes: string[]; budgets: Record<string, { scores: number[]; seconds: number; kendallTau: number; kendallTauTwoSeeds: number }> };
const genotypes = rows.map((r) => r.genotype);
const earlier: Saved | undefined = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : undefined;
// Scores of other cells (another --count, a rebuilt ground truth) are not kept.
const saved: Saved = earlier?.genotypes.join() === genotypes.join() ? earlier : { genotypes, budgets: {} };
for (const [name, budget] of Object.entries(BUDGETS)) {
  if (saved.budgets[name]) continue;
  const started = performance.now();
  const scores: number[] = [];
  for (const r of rows) {
    const s = await trainAndScore(r.genotype, { train: data.searchable, validation: data.validation, task: data.task }, GROUND_TRUTH_MODEL, {
      epochs: 1,
      batchSize: RACE_BATCH,
      samples: budget.samples,
      seed: 0,
      replicas: 1,
      ...(budget.recalibrate ? { recalibrateBatchNorm: BN_RECALIBRATION_BATCHES } : {}),
    });
    scores.push(s.score);
  }
  saved.budgets[name] = {
    scores,
    seconds: Math.round((performance.now() - started) / 1000),
    kendallTau: kendallTau(scores, rows.map((r) => r.accuracy)),
    kendallTauTwoSeeds: kendallTau(scores, twoSeeds),
  };
  writeJsonAtomic(FILE, saved);
  console.log(`${name}: τ ${saved.budgets[name].kendallTau.toFixed(3)} (two seeds ${saved.budgets[name].kendallTauTwoSeeds.toFixed(3)}), ${saved.budgets[name].seconds} s`);
}
