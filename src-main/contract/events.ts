import type { AlphaProbs } from './alphas.js';
import type { SearchDecision } from './decision.js';

/** Phases of one run, in order. */
export type RunPhase = 'loading' | 'profiling' | 'search' | 'derive' | 'retrain' | 'evaluate' | 'export' | 'done';

/**
 * Stages of the whole run as the progress bar names them: finer than RunPhase (the ranking search's
 * two parts, the baseline's training and the latency measurement are stages of their own).
 */
export type RunStage = 'loading' | 'rank' | 'race' | 'search' | 'retrain' | 'evaluate' | 'baseline' | 'latency' | 'done';

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
  /**
   * The whole run's progress (engine/progress/run-progress.ts): the stage, the fraction of the run's time
   * done, and the seconds left for all of it, from costs measured in this run on this machine.
   * `basis: 'rough'` until a stage that trains has been timed (the figures then rest on reference costs).
   */
  | { type: 'progress'; stage: RunStage; label: string; fraction: number; etaSeconds: number; elapsedSeconds: number; basis: 'measured' | 'rough' }
  /** How decided the search is, as it forms and at its end (contract/decision.ts). */
  | {
      type: 'decision';
      decision: SearchDecision;
      /** `imagesPerSecond`: the race entrant just trained, its training steps alone (no model building, no scoring). */
      progress?: { done: number; total: number; etaSeconds: number; imagesPerSecond?: number };
    };

export type RunEventListener = (event: RunEvent) => void;
