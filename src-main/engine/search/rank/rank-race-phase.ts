import type { ResolvedSearchConfig } from '../../../contract/search-config.js';
import { genotypeProbs } from '../../space/genotype-probs.js';
import { parseGenotype } from '../../space/genotype.js';
import type { MacroOptions } from '../../space/macro.js';
import { getSpace } from '../../space/spaces.js';
import type { SearchPhaseOptions, SearchPhaseResult } from '../search-phase.types.js';
import type { TaskData } from '../task-data.js';
import { rankRaceSearch } from './rank-race.js';
import { BN_RECALIBRATION_BATCHES } from '../../derive/retrain.js';
import { checkForTarget } from '../../targets/target-check.js';

/** Race batch: a first round of 2,000 images is ~60 steps, enough to rank candidates (docs/search-quality.md). */
export const RACE_BATCH = 32;

/** HAR retrains for 8 epochs at the quick preset: the race's last round stops at 3. */
export const FINAL_ROUND_MAX_EPOCHS = 3;

/** Training images of the race's first and final rounds: --search-samples bounds what the search trains on, the race included. */
export function raceRoundImages(config: Pick<ResolvedSearchConfig, 'searchSamples' | 'raceSamples' | 'raceFinalSamples'>): { first: number; final: number } {
  const readable = (samples: number) => (config.searchSamples > 0 ? Math.min(samples, config.searchSamples) : samples);
  return { first: readable(config.raceSamples), final: readable(config.raceFinalSamples) };
}

/** The ranking search as a search phase: the same result shape as a gradient search, with its decision. */
export async function runRankRacePhase(
  config: ResolvedSearchConfig,
  data: TaskData,
  macro: MacroOptions,
  options: SearchPhaseOptions,
): Promise<SearchPhaseResult> {
  const space = getSpace(config.space, { nodes: config.nodes });
  const images = raceRoundImages(config);
  const found = await rankRaceSearch(space, { train: data.train, validation: data.validation, task: data.task, noise: config.noise }, macro, {
    candidates: config.candidates,
    proxyBatch: 64,
    raceSize: config.raceSize,
    raceSamples: images.first,
    finalSamples: images.final,
    recalibrateBatchNorm: BN_RECALIBRATION_BATCHES,
    raceBatch: Math.min(config.batchSize, RACE_BATCH),
    finalRound: { batchSize: config.batchSize, epochs: Math.min(config.retrainEpochs, FINAL_ROUND_MAX_EPOCHS) },
    seed: config.seed,
    replicas: config.workers,
    target: checkForTarget(config.target, data.task, macro, config.maxParams),
    signal: options.signal,
    pause: options.pause,
    onEvent: options.onEvent,
  });
  return {
    genotype: found.genotype,
    alphas: genotypeProbs(parseGenotype(found.genotype), space),
    genotypeHistory: [found.genotype],
    guard: { method: 'none', triggered: false, message: 'a ranking search trains no alphas, so there is nothing to collapse' },
    seconds: found.seconds,
    decision: found.decision,
  };
}
