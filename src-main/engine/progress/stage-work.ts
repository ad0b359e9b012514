import type { RunStage } from '../../contract/events.js';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { finalistCount, FIRST_ROUND_VALIDATION, RACE_GROWTH } from '../search/rank/rank-race.js';
import { FINAL_ROUND_MAX_EPOCHS, RACE_BATCH } from '../search/rank/rank-race-phase.js';

/**
 * The work of each stage of a run in one unit, so that a cost measured in one stage predicts the next: a
 * unit is one image trained at the retraining batch. The ratios between kinds of work come from the
 * reference costs of docs/presets.md (search/estimate.ts); the seconds per unit are measured in the run.
 */
export const RETRAIN_MS_PER_IMAGE = 3.3;
/** A batch of 32 costs about 1.4x the time per image of a batch of 128 (search/estimate.ts). */
export const SMALL_BATCH_UNITS = 1.4;
/** Evaluating an image: a forward pass only, at a large batch (15,000 images took 14 s after a retraining at 6.9 ms per image). */
export const EVAL_UNITS = 0.15;
/** A supernet search image with its architecture image, per strategy (search/estimate.ts's costs over the retraining's). */
const SEARCH_UNITS: Record<string, number> = { gdas: 5.6, random: 2.8, pcdarts: 41, darts: 82, fbnet: 82 };
/**
 * One training-free score: a model built and one batch of 64 through it. Building dominates, so a DARTS
 * cell (two cell types, 14 edges) costs far more than the reference NB201 one: on a 2-core machine a quick
 * MNIST run scored 40 DARTS candidates in 48 s while its race trained at 3.4 ms per unit.
 */
export function rankUnits(space: string): number {
  return space === 'darts' ? 320 : 250 / RETRAIN_MS_PER_IMAGE;
}
/**
 * The fixed baseline's images cost less than the searched model's: a depthwise-separable CNN of the same
 * size does fewer multiply-adds than a DARTS cell's dilated and separable convolutions (the quick MNIST run:
 * 547 against 140 images per second).
 */
export function baselineUnits(space: string): number {
  return space === 'darts' ? 0.3 : 0.6;
}
/** Batch-1 latency: measured until steady, then timed in blocks (search/latency.ts); seconds, not units (17 s in that run). */
export const LATENCY_SECONDS = 15;

export interface DataSizes {
  train: number;
  validation: number;
  test: number;
}

/** The units of one race entrant in each round, and how many entrants each round has. */
export interface RacePlan {
  rounds: { entrants: number; units: number }[];
}

export function racePlan(config: ResolvedSearchConfig, sizes: DataSizes): RacePlan {
  const entrants = Math.min(config.raceSize, config.candidates);
  const finalists = Math.min(entrants, finalistCount(config.raceSize));
  const raceBatch = Math.min(config.batchSize, RACE_BATCH);
  const smallBatch = raceBatch < config.batchSize ? SMALL_BATCH_UNITS : 1;
  const first = {
    entrants,
    units: Math.min(sizes.train, config.raceSamples) * smallBatch + (finalists > 0 ? Math.min(sizes.validation, FIRST_ROUND_VALIDATION) : sizes.validation) * EVAL_UNITS,
  };
  if (finalists === 0) return { rounds: [first] };
  const epochs = Math.min(config.retrainEpochs, FINAL_ROUND_MAX_EPOCHS);
  const second = { entrants: finalists, units: Math.min(sizes.train, config.raceSamples * RACE_GROWTH) * epochs + sizes.validation * EVAL_UNITS };
  return { rounds: [first, second] };
}

/** Images trained per retraining (the last partial batch of each epoch is dropped). */
export function retrainImages(config: ResolvedSearchConfig, sizes: DataSizes): number {
  const n = config.retrainSamples > 0 ? Math.min(config.retrainSamples, sizes.train) : sizes.train;
  return Math.floor(n / config.batchSize) * config.batchSize * config.retrainEpochs;
}

/** Images of one half of the search split, the half the weights train on, times the epochs. */
export function searchUnits(config: ResolvedSearchConfig, sizes: DataSizes): number {
  const samples = config.searchSamples > 0 ? Math.min(config.searchSamples, sizes.train) : sizes.train;
  return (samples / 2) * config.epochs * ((SEARCH_UNITS[config.strategy] ?? 82) / RETRAIN_MS_PER_IMAGE);
}

/** The stages of a run in order, and each one's work in units (latency: 0 units, a fixed time instead). */
export function stageWork(config: ResolvedSearchConfig, sizes: DataSizes): Map<RunStage, number> {
  const work = new Map<RunStage, number>([['loading', 0]]);
  if (config.strategy === 'rank-race') {
    work.set('rank', config.candidates * rankUnits(config.space));
    work.set('race', racePlan(config, sizes).rounds.reduce((sum, r) => sum + r.entrants * r.units, 0));
  } else {
    work.set('search', searchUnits(config, sizes));
  }
  const retrain = retrainImages(config, sizes);
  work.set('retrain', retrain);
  work.set('evaluate', (sizes.validation + sizes.test) * EVAL_UNITS);
  work.set('baseline', (retrain + sizes.test * EVAL_UNITS) * baselineUnits(config.space));
  work.set('latency', 0);
  work.set('done', 0);
  return work;
}

export const STAGE_LABELS: Record<RunStage, string> = {
  loading: 'loading the data',
  rank: 'ranking candidates without training',
  race: 'race: training the best candidates briefly',
  search: 'searching (training the supernet)',
  retrain: 'retraining the chosen model',
  evaluate: 'evaluating on the validation and test data',
  baseline: 'training the fixed baseline to compare with',
  latency: 'measuring latency on this machine',
  done: 'done',
};
