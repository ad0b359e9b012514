import type { RunStage } from '../../contract/events.js';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { finalistCount, FIRST_ROUND_VALIDATION } from '../search/rank/rank-race.js';
import { FINAL_ROUND_MAX_EPOCHS, RACE_BATCH, raceRoundImages } from '../search/rank/rank-race-phase.js';

/**
 * The work of each stage of a run in one unit, so that a cost measured in one stage predicts the next: a
 * unit is one image trained at the retraining batch. How other work compares with it (a ranking score, a
 * race image, an evaluated image, a baseline image) is a set of ratios: measured on this machine by earlier
 * runs (pace-calibration.ts), else the defaults below, measured on a 2-core machine; the seconds per unit
 * are measured in the run itself.
 */
export const RETRAIN_MS_PER_IMAGE = 3.3;
/** A supernet search image with its architecture image, per strategy (search/estimate.ts's costs over the retraining's). */
const SEARCH_UNITS: Record<string, number> = { gdas: 5.6, random: 2.8, pcdarts: 41, darts: 82, fbnet: 82 };

export interface PaceRatios {
  /** A training-free score's seconds over a retraining image's: building the model dominates. */
  rankUnits: number;
  /** A race first-round image's training seconds over a retraining image's: a small batch and a short, cold training. */
  firstRoundFactor: number;
  /** A race entrant's fixed part (building the model, starting its threads), in retraining images. */
  entrantUnits: number;
  /** An evaluated image's seconds over a retraining image's. */
  evalUnits: number;
  /** A baseline image's seconds (training and scoring) over a retraining image's. */
  baselineUnits: number;
  /** The batch-1 latency measurement, in seconds. */
  latencySeconds: number;
}

/**
 * Defaults, from quick MNIST runs on a loaded 2-core machine (bench:eta): 16-40 DARTS candidates scored at
 * 1.2-2 s each against retraining at 3.9-6.9 ms per image; the first round trained at 67 images/s (batch 32,
 * 2 threads, 19 steps a model) against the retraining's 260; evaluation 0.15-0.18; the baseline's images at
 * 0.26-0.47 of a DARTS cell's (a depthwise-separable CNN does fewer multiply-adds); latency in 7.5-17 s; an
 * entrant's fixed part about 1.5 s beyond its training and scoring.
 * A batch of 32 on one thread costs 1.4x a batch of 128 (search/estimate.ts).
 */
export function defaultRatios(config: Pick<ResolvedSearchConfig, 'space' | 'workers' | 'batchSize'>): PaceRatios {
  const darts = config.space === 'darts';
  return {
    rankUnits: darts ? 320 : 250 / RETRAIN_MS_PER_IMAGE,
    firstRoundFactor: Math.min(config.batchSize, RACE_BATCH) < config.batchSize ? (config.workers > 1 ? 3 : 1.4) : 1,
    entrantUnits: 400,
    evalUnits: 0.17,
    baselineUnits: darts ? 0.35 : 0.6,
    latencySeconds: 12,
  };
}

export interface DataSizes {
  train: number;
  validation: number;
  test: number;
}

/**
 * One race entrant in each round: its units, the images it trains (samples x epochs) and at what cost per
 * image relative to the retraining batch, the validation images it is scored on; and how many entrants.
 */
export interface RaceRound {
  entrants: number;
  units: number;
  trainImages: number;
  batchFactor: number;
  evalImages: number;
}

export interface RacePlan {
  rounds: RaceRound[];
  evalUnits: number;
}

export function racePlan(config: ResolvedSearchConfig, sizes: DataSizes, ratios: PaceRatios = defaultRatios(config)): RacePlan {
  const entrants = Math.min(config.raceSize, config.candidates);
  const finalists = Math.min(entrants, finalistCount(config.raceSize));
  const round = (count: number, trainImages: number, batchFactor: number, evalImages: number): RaceRound => ({
    entrants: count,
    trainImages,
    batchFactor,
    evalImages,
    units: trainImages * batchFactor + evalImages * ratios.evalUnits + ratios.entrantUnits,
  });
  const images = raceRoundImages(config);
  const first = round(entrants, Math.min(sizes.train, images.first), ratios.firstRoundFactor, finalists > 0 ? Math.min(sizes.validation, FIRST_ROUND_VALIDATION) : sizes.validation);
  if (finalists === 0) return { rounds: [first], evalUnits: ratios.evalUnits };
  const epochs = Math.min(config.retrainEpochs, FINAL_ROUND_MAX_EPOCHS);
  return { rounds: [first, round(finalists, Math.min(sizes.train, images.final) * epochs, 1, sizes.validation)], evalUnits: ratios.evalUnits };
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
export function stageWork(config: ResolvedSearchConfig, sizes: DataSizes, ratios: PaceRatios = defaultRatios(config)): Map<RunStage, number> {
  const work = new Map<RunStage, number>([['loading', 0]]);
  if (config.strategy === 'rank-race') {
    work.set('rank', config.candidates * ratios.rankUnits);
    work.set('race', racePlan(config, sizes, ratios).rounds.reduce((sum, r) => sum + r.entrants * r.units, 0));
  } else {
    work.set('search', searchUnits(config, sizes));
  }
  const retrain = retrainImages(config, sizes);
  work.set('retrain', retrain);
  work.set('evaluate', (sizes.validation + sizes.test) * ratios.evalUnits);
  work.set('baseline', (retrain + sizes.test * ratios.evalUnits) * ratios.baselineUnits);
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
