import type { SearchDecision } from '../../contract/decision.js';
import type { RunEventListener } from '../../contract/events.js';
import type { AlphaProbs } from '../space/space.types.js';
import type { CheckpointState, SavedCheckpoint } from './checkpoint.js';
import type { GuardOutcome } from './collapse-guard.js';
import type { FaultInjection } from './faults.js';
import type { PauseGate } from './run-control.js';

/** What a search phase takes and gives, for every strategy (gradient searches and rank-race alike). */

export interface SearchPhaseResult {
  genotype: string;
  alphas: AlphaProbs;
  genotypeHistory: string[];
  guard: GuardOutcome;
  seconds: number;
  expectedLatencyMs?: number;
  decision?: SearchDecision;
  /** Operations replaced so the derived model fits the target's SRAM and flash (fit-genotype.ts). */
  targetAdjustments?: string[];
}

export interface SearchPhaseOptions {
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
  /** Where checkpoints go (<runDir>/checkpoint); none are written without it. */
  runDir?: string;
  /** Continue from this checkpoint (nas-studio resume). */
  resume?: CheckpointState;
  /** Called after each checkpoint is written (the run store lists it). */
  onCheckpoint?: (saved: SavedCheckpoint) => void;
  /** Called when a diverged step rolls the search back: `epochsKept` epochs stand, the later ones are redone. */
  onRollback?: (epochsKept: number) => void;
  faults?: FaultInjection;
}
