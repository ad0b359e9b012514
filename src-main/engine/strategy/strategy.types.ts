import type * as tf from '@tensorflow/tfjs';
import type { AlphaProbs } from '../space/space.types.js';
import type { CellType, EdgeInstance, EdgeWeights, SupernetOptions } from '../supernet/supernet.types.js';
import type { Rng } from '../util/rng.js';

export type StrategyName = 'darts' | 'gdas' | 'pcdarts' | 'fbnet' | 'random';

/** The architecture variables a strategy reads: one [edges, primitives] logit matrix per cell type. */
export type Alphas = Partial<Record<CellType, tf.Tensor2D>>;

export interface StrategyContext {
  /** Global step (0-based, over all epochs). */
  step: number;
  epoch: number;
  epochs: number;
  /** The search's seeded generator: Gumbel noise and sampled paths replay exactly. */
  rng: Rng;
  /**
   * Fraction of the whole search done, 0..1. Temperatures follow it, so a one-epoch search still anneals
   * (a per-epoch schedule would hold tau at its start for the whole of a short search).
   */
  progress?: number;
  /** false when scoring (no sampling noise where the strategy has a deterministic choice). */
  training: boolean;
  /**
   * The alphas on the host, read (awaited) before the step: hard samples (GDAS, hard FBNet) take their argmax
   * there. Absent: a strategy reads them synchronously, which only host backends can (not WebGPU in Node).
   */
  alphaValues?: Partial<Record<CellType, ArrayLike<number>>>;
}

/** What a strategy may learn about the supernet it drives (FBNet prices every edge instance). */
export interface SupernetInfo {
  cellTypes: readonly CellType[];
  primitives: readonly string[];
  edgeNames: readonly string[];
  edgeInstances(): readonly EdgeInstance[];
  alphaProbs(): Promise<AlphaProbs>;
}

/** Fixed one-hot (or zero) edge-weight values for one sampled architecture, per cell type. */
export type EdgeWeightValues = Partial<Record<CellType, number[][]>>;

/**
 * How edges are weighted. The supernet knows no strategy: it takes whatever weights edgeWeights()
 * returns, and skips ops whose weight is exactly 0. Called inside the loop's tidy and gradient tape.
 */
export interface Strategy {
  readonly name: StrategyName;
  /** Options the supernet must be built with (PC-DARTS: partial channels). */
  readonly supernetOptions?: Partial<Pick<SupernetOptions, 'partialChannels'>>;
  /** false: the alphas get no architecture step (random search with weight sharing). */
  readonly trainsAlphas: boolean;
  /** Called once before the first step. */
  attach?(supernet: SupernetInfo): void;
  /** Architecture variables of the strategy's own (PC-DARTS edge betas), optimised with the alphas. */
  archVars?(): tf.Variable[];
  edgeWeights(alphas: Alphas, ctx: StrategyContext): EdgeWeights;
  /** Added to the architecture loss. */
  regularizer?(alphas: Alphas, ctx: StrategyContext): tf.Scalar;
  /** Added to the architecture loss; may scale with the task loss (FBNet's latency term). */
  extraLoss?(taskLoss: tf.Scalar, alphas: Alphas, ctx: StrategyContext): tf.Scalar;
  /** Probabilities the genotype is derived from; default: the supernet's softmax of the alphas. */
  derivationProbs?(supernet: SupernetInfo): Promise<AlphaProbs>;
  /** Random search: architectures to score on the arch split after training, best kept. */
  finalCandidates?(count: number, rng: Rng): EdgeWeightValues[];
  /** FBNet: expected latency under the current distribution, in the lookup's unit (ms). */
  expectedLatencyMs?(alphas: Alphas): Promise<number>;
  dispose?(): void;
}
