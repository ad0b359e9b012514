import * as tf from '@tensorflow/tfjs';
import type { RankRaceDecision, RaceEntry, RankedCandidate } from '../../../contract/decision.js';
import type { RunEventListener } from '../../../contract/events.js';
import type { DerivedModelOptions } from '../../derive/build-derived-model.js';
import { parseGenotype } from '../../space/genotype.js';
import type { SearchSpace } from '../../space/space.types.js';
import { sampleFittingGenotypes } from '../../targets/sample-fitting.js';
import type { TargetCheck } from '../../targets/target-check.js';
import { Rng } from '../../util/rng.js';
import { batchTensors } from '../batch-stream.js';
import { throwIfCancelled, type PauseGate } from '../run-control.js';
import { naswotScore } from './naswot.js';
import { prefixOf, trainAndScore, type ScoringData } from './train-and-score.js';
import { raceVerdict } from './race-verdict.js';

/** How many reach the second round: a tenth of the entrants, at least 2; none when 2 or fewer entered. */
export function finalistCount(raceSize: number): number {
  return raceSize > 2 ? Math.max(2, Math.ceil(raceSize / 10)) : 0;
}

/** The first round scores on this many validation samples at most: enough to drop the clearly worse, quicker. */
export const FIRST_ROUND_VALIDATION = 2_000;

export interface RankRaceOptions {
  /** Architectures drawn uniformly and scored without training. */
  candidates: number;
  /** Images in the training-free score's batch. */
  proxyBatch: number;
  /** The best-scored candidates that enter the race; finalistCount of them reach its second round. */
  raceSize: number;
  /** Training images in the first round and in the second. */
  raceSamples: number;
  finalSamples: number;
  raceBatch: number;
  /** Batches over which every entrant's batch norm statistics are re-estimated before it is scored (as the retraining does). */
  recalibrateBatchNorm?: number;
  /**
   * The second round trains as the final retraining will (its batch and epochs): one quick epoch at a small
   * batch ranks the clearly worse well but orders good cells by noise (docs/search-quality.md).
   */
  finalRound: { batchSize: number; epochs: number };
  seed: number;
  replicas: number;
  /** The target device's SRAM and flash: candidates that do not fit are dropped before ranking. */
  target?: TargetCheck;
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
}

export interface RankRaceResult {
  genotype: string;
  decision: RankRaceDecision;
  seconds: number;
}

/**
 * The default search: rank many architectures by a training-free score on the user's own images, then
 * race the better ones in two rounds: the first trains every entrant from scratch on a few training images;
 * a tenth of them (at least 2) train again from scratch as the final retraining will, on more images,
 * and the best of those on the validation split wins. The score only drops the worse candidates: it is a
 * weak filter on its own (docs/search-quality.md).
 */
export async function rankRaceSearch(
  space: SearchSpace,
  data: ScoringData,
  model: DerivedModelOptions,
  options: RankRaceOptions,
): Promise<RankRaceResult> {
  const started = performance.now();
  const { task } = data;
  const rng = new Rng(options.seed ^ 0x4a5c);
  const { genotypes, dropped } = sampleFittingGenotypes(space, options.candidates, rng, options.target, model);
  const finalists = finalistCount(options.raceSize);
  // Work units for the progress bar: one per scored candidate, and one per 500 images trained in the race.
  const raceUnits = (options.raceSize * options.raceSamples + finalists * options.finalSamples * options.finalRound.epochs) / 500 || 1;
  const total = genotypes.length + raceUnits;
  let done = 0;
  /** The last race entrant's training speed, for the whole-run ETA. */
  let imagesPerSecond: number | undefined;
  const decision: RankRaceDecision = {
    method: 'rank-race',
    proxy: 'naswot',
    sampled: genotypes.length,
    ...(options.target ? { droppedForTarget: dropped } : {}),
    ranked: [],
    race: [],
    scoreName: task.kind === 'denoising' ? 'psnr' : 'accuracy',
    verdict: 'undecided',
    message: 'Scoring candidates without training…',
    final: false,
  };
  const emit = () => {
    const elapsed = (performance.now() - started) / 1000;
    options.onEvent?.({ type: 'decision', decision: structuredClone(decision), progress: { done, total, etaSeconds: done > 0 ? (elapsed / done) * (total - done) : 0, ...(imagesPerSecond ? { imagesPerSecond } : {}) } });
  };

  // 1. Rank: every candidate, untrained, on one batch of the user's training images.
  const batch = Int32Array.from(new Rng(options.seed).permutation(data.train.xShape[0]).subarray(0, Math.min(options.proxyBatch, data.train.xShape[0])));
  const input = tf.tidy(() => batchTensors(data.train, batch, task, options.seed).input);
  const scored: RankedCandidate[] = [];
  try {
    for (const genotype of genotypes) {
      if (options.pause) await options.pause.whenRunning(options.signal);
      throwIfCancelled(options.signal);
      const score = await naswotScore(parseGenotype(genotype), task, { ...model, seed: options.seed }, input);
      scored.push({ genotype, score });
      done++;
      if (done % 10 === 0 || done === genotypes.length) {
        decision.ranked = [...scored].sort((a, b) => b.score - a.score).slice(0, options.raceSize);
        decision.message = `Scored ${done} of ${genotypes.length} candidates without training.${dropped ? ` ${dropped} others drawn do not fit ${options.target!.label} and were dropped.` : ''}`;
        emit();
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    input.dispose();
  }

  // 2. Race on the validation split: every entrant on a short budget, then the finalists on a longer one.
  let alive = decision.ranked.map((c) => c.genotype);
  for (let rung = 0; rung < (finalists > 0 ? 2 : 1); rung++) {
    const samples = Math.min(data.train.xShape[0], rung === 0 ? options.raceSamples : options.finalSamples);
    const results: RaceEntry[] = [];
    for (const genotype of alive) {
      throwIfCancelled(options.signal);
      const validation = rung === 0 && finalists > 0 ? prefixOf(data.validation, FIRST_ROUND_VALIDATION) : data.validation;
      const s = await trainAndScore(genotype, { ...data, validation }, model, {
        ...(rung === 0 ? { epochs: 1, batchSize: options.raceBatch } : options.finalRound),
        samples,
        seed: options.seed,
        replicas: options.replicas,
        recalibrateBatchNorm: options.recalibrateBatchNorm,
        signal: options.signal,
        pause: options.pause,
      });
      imagesPerSecond = s.imagesPerSecond;
      results.push({ genotype, rung, samples, validation: s.score });
      decision.race.push(results.at(-1)!);
      done = Math.min(total, done + (samples * (rung === 0 ? 1 : options.finalRound.epochs)) / 500);
      decision.message = `Race, round ${rung + 1}: trained ${results.length} of ${alive.length} candidates on ${samples} images.`;
      emit();
    }
    alive = results.sort((a, b) => b.validation - a.validation).slice(0, finalists).map((r) => r.genotype);
  }
  const lastRung = Math.max(...decision.race.map((x) => x.rung));
  const [winner, runnerUp] = decision.race.filter((r) => r.rung === lastRung).sort((a, b) => b.validation - a.validation);
  Object.assign(decision, raceVerdict(winner, runnerUp, data.validation.xShape[0], decision.scoreName), { winner: winner.genotype, final: true });
  done = total;
  emit();
  return { genotype: winner.genotype, decision, seconds: (performance.now() - started) / 1000 };
}
