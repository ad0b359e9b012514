import type { SearchDecision } from '../../src-main/contract/decision.js';
import type { RunEvent } from '../../src-main/contract/events.js';
import type { RunSummary } from '../../src-main/contract/channels.js';
import type { RunResult } from '../../src-main/contract/result.js';
import { advanceProgress, initialProgress, type ProgressState } from './run-progress.js';

/** A point of a curve: x = steps since the phase began (fractional epochs), y = value. */
export interface CurvePoint {
  x: number;
  y: number;
}

export interface LiveRunState {
  runId: string;
  status: RunSummary['status'] | undefined;
  error?: string;
  progress: ProgressState;
  /** Per phase: training loss and score by step (x in epochs). */
  loss: Record<'search' | 'retrain', CurvePoint[]>;
  score: Record<'search' | 'retrain', CurvePoint[]>;
  scoreName: string;
  /** Per search epoch: validation (architecture half) loss and score when the strategy trains alphas. */
  validLoss: CurvePoint[];
  validScore: CurvePoint[];
  alphas?: AlphaProbs;
  genotype?: string;
  /** True once retraining has started: `genotype` is then the cell retrained, not the search's current pick. */
  cellRetrained?: boolean;
  genotypeHistory: string[];
  expectedLatencyMs?: number;
  /** How decided the search is so far (the newest 'decision' event), and that event's progress. */
  decision?: SearchDecision;
  decisionProgress?: Extract<RunEvent, { type: 'decision' }>['progress'];
  imagesPerSecond?: number;
  logs: { level: 'info' | 'warn' | 'error' | 'guard'; message: string }[];
  /** Events seen, for tests and the "nothing yet" state. */
  eventCount: number;
}

/** The contract's alpha probabilities (rows = edges, columns = primitives). */
export type AlphaProbs = RunResult['alphas'];

const MAX_POINTS = 1500;
const MAX_LOGS = 200;

export function initialLiveRun(runId: string): LiveRunState {
  return {
    runId,
    status: undefined,
    progress: initialProgress(),
    loss: { search: [], retrain: [] },
    score: { search: [], retrain: [] },
    scoreName: 'score',
    validLoss: [],
    validScore: [],
    genotypeHistory: [],
    logs: [],
    eventCount: 0,
  };
}

/** Keeps a long curve readable and cheap: beyond the limit, every other point of the older half goes. */
function appendCapped(points: CurvePoint[], point: CurvePoint): CurvePoint[] {
  const next = [...points, point];
  if (next.length <= MAX_POINTS) return next;
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}

export function reduceLiveRun(state: LiveRunState, event: RunEvent): LiveRunState {
  const progress = advanceProgress(state.progress, event);
  const next: LiveRunState = { ...state, progress, eventCount: state.eventCount + 1 };
  switch (event.type) {
    case 'step': {
      // The baseline's training moves the bar (run-progress.ts); the curves stay the searched model's.
      if (event.model === 'baseline') return next;
      const zeroBased = progress.zeroBased[event.phase] ?? false;
      const epochIndex = zeroBased ? event.epoch : event.epoch - 1;
      const stepsDone = zeroBased ? event.step + 1 : event.step;
      const x = epochIndex + stepsDone / Math.max(1, event.stepsPerEpoch);
      next.loss = { ...state.loss, [event.phase]: appendCapped(state.loss[event.phase], { x, y: event.loss }) };
      next.score = { ...state.score, [event.phase]: appendCapped(state.score[event.phase], { x, y: event.score }) };
      next.scoreName = event.scoreName;
      next.imagesPerSecond = event.imagesPerSecond;
      return next;
    }
    case 'epoch': {
      if (event.phase === 'search') {
        const x = progress.epoch ?? event.epoch;
        if (event.validLoss !== undefined) next.validLoss = [...state.validLoss, { x, y: event.validLoss }];
        if (event.validScore !== undefined) next.validScore = [...state.validScore, { x, y: event.validScore }];
      }
      if (event.alphas) next.alphas = event.alphas;
      if (event.genotype) {
        next.genotype = event.genotype;
        next.genotypeHistory = [...state.genotypeHistory, event.genotype];
      }
      if (event.expectedLatencyMs !== undefined) next.expectedLatencyMs = event.expectedLatencyMs;
      return next;
    }
    case 'phase':
      // The cell retrained is the one shown from here on: the collapse guard or the target may have changed the search's pick.
      if (event.phase === 'retrain' && event.message) {
        next.genotype = event.message;
        next.cellRetrained = true;
      }
      if (event.message) next.logs = [...state.logs, { level: 'info' as const, message: `${event.phase}: ${event.message}` }].slice(-MAX_LOGS);
      return next;
    case 'log':
      next.logs = [...state.logs, { level: event.level, message: event.message }].slice(-MAX_LOGS);
      return next;
    case 'guard':
      next.logs = [...state.logs, { level: 'guard' as const, message: event.message }].slice(-MAX_LOGS);
      return next;
    case 'progress':
      return next;
    case 'decision':
      next.decision = event.decision;
      next.decisionProgress = event.progress;
      // The ranking search trains no alphas and sends no epochs: its chosen cell is the race's winner.
      if (event.decision.method === 'rank-race' && event.decision.final && event.decision.winner && !state.cellRetrained) next.genotype = event.decision.winner;
      return next;
  }
}
