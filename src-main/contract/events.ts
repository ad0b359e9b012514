import type { AlphaProbs } from '../engine/space/space.types.js';
import type { SearchDecision } from './decision.js';

/** Phases of one run, in order. */
export type RunPhase = 'loading' | 'profiling' | 'search' | 'derive' | 'retrain' | 'evaluate' | 'export' | 'done';

/**
 * Everything a search or retrain loop tells the world; the UI, the CLI and the store consume these.
 * `epoch` and `step` count from 1 in both phases (step 3 of epoch 2 is the third batch of the second pass).
 */
export type RunEvent =
  | { type: 'phase'; phase: RunPhase; message?: string }
  | {
      type: 'step';
      phase: 'search' | 'retrain';
      epoch: number;
      epochs: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      score: number;
      scoreName: string;
      /** seconds left for the whole run, best estimate */
      etaSeconds: number;
      imagesPerSecond: number;
      /** 'baseline': a step of the fixed baseline's training (after the searched model's), for progress only. */
      model?: 'baseline';
    }
  | {
      type: 'epoch';
      phase: 'search' | 'retrain';
      epoch: number;
      epochs: number;
      trainLoss: number;
      trainScore: number;
      validLoss?: number;
      validScore?: number;
      /** search only: architecture state at the end of this epoch */
      alphas?: AlphaProbs;
      genotype?: string;
      /** search only, FBNet: expected latency under the current distribution */
      expectedLatencyMs?: number;
    }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'guard'; message: string }
  /** How decided the search is, as it forms and at its end (contract/decision.ts). */
  | { type: 'decision'; decision: SearchDecision; progress?: { done: number; total: number; etaSeconds: number } };

export type RunEventListener = (event: RunEvent) => void;
