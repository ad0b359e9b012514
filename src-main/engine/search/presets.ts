import os from 'node:os';
import { SearchConfigSchema, type ResolvedSearchConfig, type SearchConfigInput } from '../../contract/search-config.js';
import { searchSpaceFor } from '../../contract/default-space.js';

/**
 * Preset numbers for a 2-core CPU; how each was measured is in docs/presets.md. `quick` aims at a useful
 * model, its baseline included, in about five minutes; `standard` spends roughly ten times the compute.
 * An explicit value in the config always wins over the preset.
 */
type PresetNumbers = Pick<
  ResolvedSearchConfig,
  'epochs' | 'retrainEpochs' | 'batchSize' | 'channels' | 'cells' | 'nodes' | 'searchSamples' | 'retrainSamples' | 'candidates' | 'raceSize' | 'raceSamples'
> & { raceFinalSamples?: number };

const PRESETS: Record<'quick' | 'standard', Record<'image' | 'har' | 'denoising', PresetNumbers>> = {
  quick: {
    // The race's first round needs ~90 steps to order cells as a longer training would (1,500 images at batch 32
    // ranked the ground truth at Kendall τ 0.44, 3,000 at 0.67, the seed-to-seed ceiling): docs/search-quality.md.
    image: { epochs: 2, retrainEpochs: 2, batchSize: 128, channels: 8, cells: 5, nodes: 4, searchSamples: 10_000, retrainSamples: 20_000, candidates: 60, raceSize: 16, raceSamples: 3_000, raceFinalSamples: 9_000 },
    har: { epochs: 2, retrainEpochs: 8, batchSize: 64, channels: 8, cells: 5, nodes: 4, searchSamples: 0, retrainSamples: 0, candidates: 60, raceSize: 16, raceSamples: 1_000 },
    // One wide full-resolution cell, batch 16: denoisers cost ~4× a classifier per sample.
    denoising: { epochs: 1, retrainEpochs: 3, batchSize: 16, channels: 24, cells: 1, nodes: 2, searchSamples: 4_000, retrainSamples: 16_000, candidates: 30, raceSize: 4, raceSamples: 500 },
  },
  standard: {
    image: { epochs: 8, retrainEpochs: 10, batchSize: 64, channels: 16, cells: 8, nodes: 4, searchSamples: 0, retrainSamples: 0, candidates: 200, raceSize: 60, raceSamples: 3_000 },
    har: { epochs: 10, retrainEpochs: 30, batchSize: 64, channels: 16, cells: 8, nodes: 4, searchSamples: 0, retrainSamples: 0, candidates: 200, raceSize: 50, raceSamples: 2_000 },
    denoising: { epochs: 6, retrainEpochs: 10, batchSize: 32, channels: 16, cells: 5, nodes: 4, searchSamples: 0, retrainSamples: 0, candidates: 60, raceSize: 16, raceSamples: 2_000 },
  },
};

/** Unless a preset says otherwise, the race's final round trains on this many times its first round's images. */
export const RACE_GROWTH = 6;

/**
 * DARTS-space image cells train at 0.4–0.7× the images per second of NB201 cells (one thread: 446–716 against
 * 837–1,594 images/s, three random cells of each): half the
 * race's entrants and two thirds of the candidates keep a quick run near five minutes.
 */
function forSpace(preset: PresetNumbers, space: ResolvedSearchConfig['space']): PresetNumbers {
  if (space !== 'darts') return preset;
  return { ...preset, candidates: Math.round((preset.candidates * 2) / 3), raceSize: Math.round(preset.raceSize / 2) };
}

/** The race's final round: as set, else the preset's (unless the first round was set), else RACE_GROWTH × the first round's. */
function raceFinalSamples(config: SearchConfigInput, preset: PresetNumbers): number {
  if (config.raceFinalSamples !== undefined) return config.raceFinalSamples;
  if (config.raceSamples === undefined && preset.raceFinalSamples !== undefined) return preset.raceFinalSamples;
  return RACE_GROWTH * (config.raceSamples ?? preset.raceSamples);
}

function presetFamily(task: ResolvedSearchConfig['task']): 'image' | 'har' | 'denoising' {
  if (task === 'har') return 'har';
  if (task === 'denoising') return 'denoising';
  return 'image';
}

/** Validates a config (zod) and fills every unset number from its preset. Throws a readable error. */
export function resolveConfig(input: SearchConfigInput): ResolvedSearchConfig {
  const parsed = SearchConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first.path.length ? first.path.join('.') : 'config';
    throw new Error(`Invalid search config: ${where}: ${first.message}`);
  }
  const config = parsed.data;
  const space = searchSpaceFor(config.task, config.space);
  const family = presetFamily(config.task);
  const preset = family === 'image' ? forSpace(PRESETS[config.preset][family], space) : PRESETS[config.preset][family];
  return {
    ...config,
    space,
    epochs: config.epochs ?? preset.epochs,
    retrainEpochs: config.retrainEpochs ?? preset.retrainEpochs,
    batchSize: config.batchSize ?? preset.batchSize,
    channels: config.channels ?? preset.channels,
    cells: config.cells ?? preset.cells,
    nodes: config.nodes ?? preset.nodes,
    searchSamples: config.searchSamples ?? preset.searchSamples,
    retrainSamples: config.retrainSamples ?? preset.retrainSamples,
    candidates: config.candidates ?? preset.candidates,
    raceSize: config.raceSize ?? preset.raceSize,
    raceSamples: config.raceSamples ?? preset.raceSamples,
    raceFinalSamples: raceFinalSamples(config, preset),
    workers: config.workers ?? Math.max(1, os.availableParallelism()),
  };
}
