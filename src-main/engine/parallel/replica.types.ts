import type { ArrayDataset } from '../data/dataset.types.js';

/** Where a training step is in its schedule: every replica derives learning rates, tau, etc. from it. */
export interface StepContext {
  step: number;
  epoch: number;
  epochs: number;
  totalSteps: number;
  /** Same on every replica, so sampled paths (GDAS, random) agree across replicas. */
  seed: number;
}

export interface GradientResult {
  /** Mean loss and score over this replica's shard. */
  loss: number;
  score: number;
  /** Samples in the shard: replicas are averaged weighted by it. */
  count: number;
  /** Gradients of the phase's variables, flattened in the replica's fixed variable order. */
  grads: Float32Array;
  /**
   * Per variable, 1 when it received a gradient. Absent: all did. Sampled paths (GDAS, random) leave
   * the ops they skipped without one, and an optimizer must then leave those variables untouched.
   */
  present?: Uint8Array;
}

/**
 * One copy of the model being trained. Replicas start from the same weights and apply the same
 * averaged gradients, so they stay identical; only their shards of each batch differ.
 */
export interface Replica {
  /** Forward and backward pass of `phase` (e.g. 'weights', 'alphas') on samples of `data`. */
  gradients(phase: string, data: string, indices: Int32Array, ctx: StepContext): GradientResult;
  /**
   * The same, where a replica can read its results asynchronously (GPU backends: WebGPU in Node has no
   * synchronous read). DataParallel and the workers use it when present.
   */
  gradientsAsync?(phase: string, data: string, indices: Int32Array, ctx: StepContext): Promise<GradientResult>;
  /** Applies averaged gradients with the phase's optimizer (only to `present` variables, when given). */
  apply(phase: string, grads: Float32Array, ctx: StepContext, present?: Uint8Array): void;
  /** Current values of every variable, flattened (to check replicas agree, or to copy weights); an awaited read. */
  snapshot(): Promise<Float32Array>;
  /** Overwrites every variable from a snapshot (replicas start from replica 0's weights). */
  load(values: Float32Array): void;
  /** The optimizer's whole state (slots and step counts), flattened: checkpointed, and broadcast on resume. Optional. */
  optimizerState?(): Promise<Float32Array>;
  /** Overwrites the optimizer's state from optimizerState() of an identical replica. */
  loadOptimizerState?(values: Float32Array): void;
  dispose(): void;
}

/**
 * How a worker builds its replica: `module` is a file URL of a module exporting
 * `createReplica(options, datasets): Promise<Replica>`; options must survive structured cloning.
 */
export interface ReplicaSpec {
  module: string;
  options: unknown;
}

export type ReplicaFactory = (options: any, datasets: Record<string, ArrayDataset>) => Promise<Replica>;

/** Messages from the coordinator to a worker. Processed strictly in order. */
export type ToWorker =
  | { type: 'gradients'; seq: number; phase: string; data: string; indices: Int32Array; ctx: StepContext }
  | { type: 'apply'; phase: string; grads: Float32Array; ctx: StepContext; present?: Uint8Array }
  | { type: 'snapshot'; seq: number }
  | { type: 'load'; seq: number; values: Float32Array }
  | { type: 'loadOptimizer'; seq: number; values: Float32Array }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'gradients'; seq: number; result: GradientResult }
  | { type: 'snapshot'; seq: number; values: Float32Array }
  | { type: 'loaded'; seq: number }
  | { type: 'error'; seq?: number; message: string };
