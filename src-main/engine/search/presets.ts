import os from 'node:os';
import { SearchConfigSchema, type ResolvedSearchConfig, type SearchConfigInput } from '../../contract/search-config.js';

/**
 * Preset numbers, chosen from what this engine reaches on a 2-core CPU (measured in CPU time per step,
 * docs/presets.md): a GDAS search step costs 1.1 s at batch 64 against 5.3 s for DARTS (one sampled op
 * per edge), and batch 128 trains 25-50 % more samples per CPU second than 64 in both phases. `quick`
 * aims at a useful model in about five minutes; `standard` spends roughly ten times the compute. An
 * explicit value in the config always wins over the preset.
 */
type PresetNumbers = Pick<
  ResolvedSearchConfig,
  'epochs' | 'retrainEpochs' | 'batchSize' | 'channels' | 'cells' | 'nodes' | 'searchSamples' | 'retrainSamples'
>;

const PRESETS: Record<'quick' | 'standard', Record<'image' | 'har' | 'denoising', PresetNumbers>> = {
  quick: {
    image: { epochs: 2, retrainEpochs: 2, batchSize: 128, channels: 8, cells: 5, nodes: 4, searchSamples: 10_000, retrainSamples: 0 },
    har: { epochs: 2, retrainEpochs: 8, batchSize: 64, channels: 8, cells: 5, nodes: 4, searchSamples: 0, retrainSamples: 0 },
    // Full-resolution cells cost ~4× a classifier's per sample, and the baseline trains with the same budget.
    // Wide and shallow pays for denoisers (8,000 MNIST images × 2 epochs, sep/dil-conv cells, test PSNR):
    // C = 24, 2 nodes, 1 cell: 30.1 dB at 12.2k parameters; C = 16, 4 nodes, 1 cell: 29.3 dB at 9.6k; and
    // C = 8, 4 nodes, 3 cells scored 0.7 dB below C = 16 × 1 cell at half that budget.
    // Batch 16 doubles the steps of the same budget: +0.5 dB for the searched model, +0.25 dB for the baseline;
    // 16,000 images x 3 epochs (BN-free derived cells, 2e-3): searched 31.01 dB, baseline 30.99, noisy 22.83; 6 min 14 s wall.
    denoising: { epochs: 1, retrainEpochs: 3, batchSize: 16, channels: 24, cells: 1, nodes: 2, searchSamples: 4_000, retrainSamples: 16_000 },
  },
  standard: {
    image: { epochs: 8, retrainEpochs: 10, batchSize: 64, channels: 16, cells: 8, nodes: 4, searchSamples: 0, retrainSamples: 0 },
    har: { epochs: 10, retrainEpochs: 30, batchSize: 64, channels: 16, cells: 8, nodes: 4, searchSamples: 0, retrainSamples: 0 },
    denoising: { epochs: 6, retrainEpochs: 10, batchSize: 32, channels: 16, cells: 5, nodes: 4, searchSamples: 0, retrainSamples: 0 },
  },
};

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
  const preset = PRESETS[config.preset][presetFamily(config.task)];
  const space = config.task === 'har' && config.space === 'darts' ? 'har1d' : config.space;
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
    workers: config.workers ?? Math.max(1, os.availableParallelism()),
  };
}
