import { z } from 'zod';
import { TargetIdSchema } from './targets.js';

/** Where the data comes from: a built-in set, or a path the user chose (folder, IDX pair, HAR files). */
export const DataSourceSchema = z.union([
  z.object({ kind: z.literal('builtin'), name: z.enum(['mnist', 'fashion-mnist', 'har-synthetic']) }),
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
]);

export const TaskKindSchema = z.enum(['classification', 'denoising', 'har']);
export const SpaceNameSchema = z.enum(['darts', 'nb201', 'chain', 'har1d']);
export const StrategyNameSchema = z.enum(['rank-race', 'darts', 'gdas', 'pcdarts', 'fbnet', 'random']);
export const PresetNameSchema = z.enum(['quick', 'standard']);
export const CollapseGuardSchema = z.enum(['none', 'skip-count-early-stop', 'darts-minus', 'beta-darts']);

const positiveInt = z.number().int().positive();

/**
 * Everything that decides a search. A preset fills the unset numbers; a user's explicit value wins.
 * The CLI, the app and the config file all produce this one shape.
 */
export const SearchConfigSchema = z
  .object({
    task: TaskKindSchema.default('classification'),
    data: DataSourceSchema.default({ kind: 'builtin', name: 'mnist' }),
    /** Default: the task's own (contract/default-space.ts): images chain, denoising darts, HAR har1d. */
    space: SpaceNameSchema.optional(),
    strategy: StrategyNameSchema.default('rank-race'),
    preset: PresetNameSchema.default('quick'),
    seed: z.number().int().nonnegative().default(0),
    /** Search epochs over the (possibly subsampled) weight half. */
    epochs: positiveInt.optional(),
    retrainEpochs: positiveInt.optional(),
    batchSize: positiveInt.optional(),
    /** Supernet width (channels of the first cell) and depth. */
    channels: positiveInt.optional(),
    cells: positiveInt.optional(),
    nodes: positiveInt.optional(),
    /**
     * Samples of the training set the search trains on (the race's rounds included); 0 = all. A ranking
     * search also scores its untrained candidates on one batch (64 images) drawn from the whole training split.
     */
    searchSamples: z.number().int().nonnegative().optional(),
    /** Training samples used when retraining (a seeded, class-balanced subset); 0 = all. */
    retrainSamples: z.number().int().nonnegative().optional(),
    /** Ranking search: architectures scored without training, the best of them raced, images in its first round and in its final one. */
    candidates: positiveInt.optional(),
    raceSize: positiveInt.optional(),
    raceSamples: positiveInt.optional(),
    raceFinalSamples: positiveInt.optional(),
    /** Worker threads for data-parallel training; default: all cores. */
    workers: positiveInt.optional(),
    collapseGuard: CollapseGuardSchema.default('skip-count-early-stop'),
    /** FBNet: target latency in ms (batch 1 on this machine) and the weight of the latency term. */
    latencyTargetMs: z.number().positive().optional(),
    latencyWeight: z.number().nonnegative().optional(),
    /** Size budget of the derived model, in parameters. */
    maxParams: positiveInt.optional(),
    /** The device the model must fit (SRAM, flash) and whose latency is estimated: docs/targets.md. */
    target: TargetIdSchema.default('host'),
    /** Denoising: Gaussian sigma on a 0-255 scale, or salt-and-pepper amount (0..1). */
    noise: z
      .object({ kind: z.enum(['gaussian', 'salt-pepper']), sigma: z.number().positive().default(25), amount: z.number().min(0).max(1).default(0.1) })
      .optional(),
    /** HAR recordings: the rate of files without a time column (else their name's `26Hz`), windows in seconds, channel columns. */
    sampleRateHz: z.number().positive().max(100_000).optional(),
    windowSeconds: z.number().positive().max(600).optional(),
    strideSeconds: z.number().positive().max(600).optional(),
    columns: z.array(z.string().min(1).max(200)).min(1).max(64).optional(),
    /** Skip unreadable files in user data instead of stopping. */
    skipBadFiles: z.boolean().default(false),
  })
  .strict()
  // A field must do what it says: only the latency-aware search reads a latency target (the size budget and
  // the target device bind every strategy).
  .superRefine((config, ctx) => {
    const strategy = config.strategy ?? 'rank-race';
    for (const key of ['latencyTargetMs', 'latencyWeight'] as const) {
      if (config[key] !== undefined && strategy !== 'fbnet') {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key === 'latencyTargetMs' ? 'a latency target' : 'a latency weight'} is used by the latency-aware search only (strategy fbnet), not by ${strategy}` });
      }
    }
  });

export type SearchConfigInput = z.input<typeof SearchConfigSchema>;
export type SearchConfig = z.output<typeof SearchConfigSchema>;

/** A config with every preset-driven number resolved. */
export interface ResolvedSearchConfig extends SearchConfig {
  space: z.infer<typeof SpaceNameSchema>;
  epochs: number;
  retrainEpochs: number;
  batchSize: number;
  channels: number;
  cells: number;
  nodes: number;
  searchSamples: number;
  retrainSamples: number;
  candidates: number;
  raceSize: number;
  raceSamples: number;
  raceFinalSamples: number;
  workers: number;
}
