import type * as tf from '@tensorflow/tfjs';
import type { RunEventListener } from '../../contract/events.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import type { AlphaProbs } from '../space/space.types.js';
import type { Strategy } from '../strategy/strategy.types.js';
import type { Supernet } from '../supernet/supernet.js';
import type { Task } from '../tasks/task.types.js';
import type { ReplicaSpec } from '../parallel/replica.types.js';
import type { SearchOptimizer } from './optimizers.js';
import type { CollapseGuardMethod, GuardOutcome } from './collapse-guard.js';
import type { CheckpointState } from './checkpoint.js';
import type { FaultInjector } from './faults.js';
import type { PauseGate } from './run-control.js';

export interface SearchLoopOptions {
  supernet: Supernet;
  strategy: Strategy;
  task: Task;
  /** Network weights train on this half... */
  weightData: ArrayDataset;
  /** ...the alphas on this one. */
  archData: ArrayDataset;
  epochs: number;
  batchSize: number;
  /** Weight learning rate: SGD's initial (cosine-annealed to lrWMin) or Adam's. Default 0.025 (SGD) / 3e-3 (Adam). */
  lrW?: number;
  lrWMin?: number;
  /** Architecture Adam learning rate; default sized to the search's arch steps (archLearningRate). */
  lrA?: number;
  /** Fraction of the steps that train weights only before the alphas move (default SEARCH_WARMUP_FRACTION). */
  warmupFraction?: number;
  /** 'sgd': momentum 0.9 + cosine, as DARTS; 'adam': constant lr. Default 'sgd'. */
  weightOptimizer?: 'sgd' | 'adam';
  /** L2 on the network weights (DARTS 3e-4) and on the alphas (1e-3). */
  weightDecay?: number;
  archWeightDecay?: number;
  /** Global-norm gradient clipping of the weight step (DARTS: 5). */
  gradClip?: number;
  seed: number;
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
  /**
   * Data-parallel search: `spec` builds the same supernet and strategy in each worker thread (see
   * supernet.replica.ts); `replicas` counts this thread too. Absent: one thread.
   */
  parallel?: {
    spec: ReplicaSpec;
    replicas: number;
    /** The split the task was built from (HAR standardises with its statistics), when workers need it. */
    taskData?: ArrayDataset;
  };
  /** Default 'skip-count-early-stop'. */
  guard?: CollapseGuardMethod;
  /** At most this many steps per epoch (smaller searches and tests); default: one pass over weightData. */
  maxStepsPerEpoch?: number;
  /** Random search: architectures scored at the end, and arch batches per score. */
  randomCandidates?: number;
  candidateBatches?: number;
  /** Called after every epoch with the live state (the run store writes checkpoints from it). */
  onEpochEnd?: (state: SearchState) => void | Promise<void>;
  /** Continue from this checkpoint (its epoch is the next to run) instead of from the initial weights. */
  resume?: CheckpointState;
  /** Multiplies every learning rate (a rollback after a diverged step halves them). Default 1. */
  lrScale?: number;
  /** Explicit fault injection (tests, docs/run-store.md): e.g. a NaN weight loss at a given step. */
  faults?: FaultInjector;
}

/**
 * The live state a checkpoint needs. Variables are the supernet's own (read them, do not dispose);
 * optimizer slots come from `optimizer.state()` and `stepCounts()`.
 */
export interface SearchState {
  epoch: number;
  /** Steps done so far, over all epochs. */
  step: number;
  weightVars: tf.Variable[];
  archVars: tf.Variable[];
  weightOptimizer: SearchOptimizer;
  archOptimizer: SearchOptimizer;
  /** States of the loop's generators: data order, arch-data order, strategy sampling. */
  rngStates: { weightOrder: number; archOrder: number; strategy: number };
  genotypeHistory: string[];
  /** Alpha probabilities at the end of every epoch (the collapse guard may go back to an earlier one). */
  probsHistory: AlphaProbs[];
}

export interface SearchLoopResult {
  /** The architecture kept (after the collapse guard), as probabilities. */
  alphas: AlphaProbs;
  /** Its genotype in the literature's format. */
  genotype: string;
  /** Genotype at the end of every epoch run. */
  genotypeHistory: string[];
  guard: GuardOutcome;
  steps: number;
  epochsRun: number;
  expectedLatencyMs?: number;
}
