import type { SearchConfigInput } from '../../contract/search-config.js';
import { resolveConfig } from './presets.js';
import { finalistCount } from './rank/rank-race.js';
import { FINAL_ROUND_MAX_EPOCHS, raceRoundImages } from './rank/rank-race-phase.js';

/**
 * CPU milliseconds per training sample on the reference machine (2-core x86 with AVX-512, wasm
 * backend, 2026-11-22; docs/presets.md), for the reference model: C=8, 5 cells, 14×14 cell inputs
 * (MNIST after a stride-2 stem), batch 128. A search sample includes its paired architecture sample.
 */
const SEARCH_MS_PER_SAMPLE: Record<string, number> = { gdas: 5.6, random: 2.8, pcdarts: 41, darts: 82, fbnet: 82 };
/** Fused batch norm and batch 128 (docs/presets.md: 120,000 retraining samples in 227 s on two cores). */
const RETRAIN_MS_PER_SAMPLE = 3.3;
/** Rank and race: one training-free score (build + one batch of 64), and race images at batch 32 (measured 1.4× the time per image of batch 128, 4,000 images of an NB201 cell). */
const RANK_MS_PER_CANDIDATE = 250;
const RACE_COST_FACTOR = 1.5;
/** Two replicas on two cores do ~1.8× one (measured: the averaging step and worker messages cost the rest). */
const PARALLEL_EFFICIENCY = 0.9;

const BUILTIN_SAMPLES: Record<string, { train: number; positions: number }> = {
  mnist: { train: 60_000, positions: 14 * 14 },
  'fashion-mnist': { train: 60_000, positions: 14 * 14 },
  'har-synthetic': { train: 5_760, positions: 64 },
};

/** Cost relative to the reference model: width (pointwise convs grow ~C^1.5 at these sizes), depth, resolution. */
function modelScale(channels: number, cells: number, positions: number): number {
  return (channels / 8) ** 1.5 * (cells / 5) * (positions / 196);
}

/** The numbers the preset (or the user) picked, for the wizard's Advanced fields; null: none set. */
export type PresetChoices = Record<'epochs' | 'retrainEpochs' | 'searchSamples' | 'batchSize' | 'channels' | 'cells' | 'seed' | 'latencyTargetMs' | 'maxParams', number | null>;

function presetChoices(config: ReturnType<typeof resolveConfig>): PresetChoices {
  const { epochs, retrainEpochs, searchSamples, batchSize, channels, cells, seed } = config;
  return { epochs, retrainEpochs, searchSamples, batchSize, channels, cells, seed, latencyTargetMs: config.latencyTargetMs ?? null, maxParams: config.maxParams ?? null };
}

/**
 * A time estimate before a search starts, from measured costs per sample scaled to the config. For
 * user data the sample count is not known before the data is read; 10,000 is assumed and said so.
 */
export async function estimateSearch(request: { config: SearchConfigInput }): Promise<{ seconds: number; note: string; preset: PresetChoices }> {
  const config = resolveConfig(request.config);
  const builtin = config.data.kind === 'builtin' ? BUILTIN_SAMPLES[config.data.name] : undefined;
  const train = builtin?.train ?? 10_000;
  const basePositions = builtin?.positions ?? 196;
  const positions = config.task === 'denoising' ? basePositions * 4 : basePositions;
  const scale = modelScale(config.channels, config.cells, positions);
  const searchSamples = (config.searchSamples > 0 ? Math.min(config.searchSamples, train) : train) / 2;
  const race = raceRoundImages(config);
  const raceImages = config.raceSize * race.first + finalistCount(config.raceSize) * race.final * Math.min(config.retrainEpochs, FINAL_ROUND_MAX_EPOCHS);
  const searchMs =
    config.strategy === 'rank-race'
      ? config.candidates * RANK_MS_PER_CANDIDATE * scale + raceImages * RETRAIN_MS_PER_SAMPLE * RACE_COST_FACTOR * scale
      : searchSamples * config.epochs * (SEARCH_MS_PER_SAMPLE[config.strategy] ?? 82) * scale;
  // The fixed baseline trains with the same budget as the searched model (about the same cost).
  const retrainSamples = config.retrainSamples > 0 ? Math.min(config.retrainSamples, train) : train;
  const retrainMs = retrainSamples * config.retrainEpochs * RETRAIN_MS_PER_SAMPLE * scale * 2;
  const cores = Math.max(1, config.workers * PARALLEL_EFFICIENCY);
  // FBNet's search runs on one thread (its latency table is per process); its retraining uses every worker.
  const searchCores = config.strategy === 'fbnet' ? 1 : cores;
  const seconds = Math.round((searchMs / searchCores + retrainMs / cores) / 1000 + 15);
  const dataNote = builtin ? '' : ' It assumes about 10,000 samples; yours may differ.';
  return {
    seconds,
    preset: presetChoices(config),
    note: `From measured CPU time per sample on a 2-core reference machine, scaled to this search's width, depth and input size, on ${config.workers} core(s).${dataNote}`,
  };
}
