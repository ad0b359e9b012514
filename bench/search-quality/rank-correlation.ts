/**
 * How well each ranking method orders the ground-truth architectures: Kendall τ between its score and
 * the ground truth's validation accuracy. The training-free score (NASWOT) ranks every row; the race's
 * first-round training (the quick preset's images, one epoch) ranks the first 20, as it is the dearer one.
 */
import * as tf from '@tensorflow/tfjs';
import { parseGenotype } from '../../src-main/engine/space/genotype.js';
import type { SpaceName } from '../../src-main/engine/space/space.types.js';
import { batchTensors } from '../../src-main/engine/search/batch-stream.js';
import { naswotScore } from '../../src-main/engine/search/rank/naswot.js';
import { RACE_BATCH } from '../../src-main/engine/search/rank/rank-race-phase.js';
import { trainAndScore } from '../../src-main/engine/search/rank/train-and-score.js';
import { BN_RECALIBRATION_BATCHES } from '../../src-main/engine/derive/retrain.js';
import type { GroundTruthRow } from './groundtruth.bench.js';
import { GROUND_TRUTH_MODEL, type benchData } from './setup.js';

/** Kendall's τ-b of two equally long lists. */
export function kendallTau(a: number[], b: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const s = Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
      else if (a[i] === a[j] && b[i] !== b[j]) tiesA++;
      else if (b[i] === b[j] && a[i] !== a[j]) tiesB++;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denominator > 0 ? (concordant - discordant) / denominator : 0;
}

export async function rankCorrelations(space: SpaceName, rows: GroundTruthRow[], data: ReturnType<typeof benchData>, raceSamples: number) {
  const accuracy = rows.map((r) => r.accuracy);
  const input = tf.tidy(() => batchTensors(data.searchable, Int32Array.from({ length: 64 }, (_, i) => i), data.task, 0).input);
  const started = performance.now();
  const naswot: number[] = [];
  for (const r of rows) naswot.push(await naswotScore(parseGenotype(r.genotype), data.task, { ...GROUND_TRUTH_MODEL, seed: 0 }, input));
  const naswotSeconds = (performance.now() - started) / 1000 / rows.length;
  input.dispose();
  const raced = rows.slice(0, 20);
  const raceScores: number[] = [];
  for (const r of raced) {
    const s = await trainAndScore(r.genotype, { train: data.searchable, validation: data.validation, task: data.task }, GROUND_TRUTH_MODEL, { epochs: 1, batchSize: RACE_BATCH, samples: raceSamples, seed: 0, replicas: 1, recalibrateBatchNorm: BN_RECALIBRATION_BATCHES });
    raceScores.push(s.score);
  }
  return {
    space,
    architectures: rows.length,
    naswot: { kendallTau: kendallTau(naswot, accuracy), secondsPerCandidate: naswotSeconds },
    params: { kendallTau: kendallTau(rows.map((r) => r.params), accuracy) },
    raceFirstRound: { architectures: raced.length, samples: raceSamples, kendallTau: kendallTau(raceScores, raced.map((r) => r.accuracy)) },
  };
}
