import type { RunEvent, RunPhase, RunStage } from '../../src-main/contract/events.js';

/**
 * Overall progress of a run from its events. The engine's 'progress' events carry the whole run's fraction,
 * ETA and stage (engine/progress/run-progress.ts); once one has arrived they alone move the bar and the ETA.
 * Runs recorded before those events existed fall back to fixed slices: each phase owns a slice of the bar;
 * inside the search and retrain phases the fraction comes from epoch and step. Loops count from 0 or from 1 (the search loop
 * from 0, retraining from 1): the first event of a phase tells which.
 */
const SLICES: Record<RunPhase, [number, number]> = {
  loading: [0, 0.03],
  profiling: [0.03, 0.05],
  search: [0.05, 0.7],
  derive: [0.7, 0.72],
  retrain: [0.72, 0.95],
  evaluate: [0.95, 0.99],
  export: [0.99, 1],
  done: [1, 1],
};

type StepEvent = Extract<RunEvent, { type: 'step' }>;

export interface ProgressState {
  phase: RunPhase | undefined;
  /** 0..1, never decreasing. */
  fraction: number;
  etaSeconds: number | undefined;
  /** 'search': the estimate covers the search only (the ranking search's 'decision' events), not the whole run. */
  etaScope?: 'search';
  /** The engine's stage and its words, from 'progress' events; `whole`: the bar and ETA are the whole run's. */
  stage?: RunStage;
  stageLabel?: string;
  whole?: boolean;
  /** 'rough': the ETA rests on reference costs, nothing has been timed yet. */
  basis?: 'measured' | 'rough';
  /** 1-based epoch for display. */
  epoch: number | undefined;
  epochs: number | undefined;
  zeroBased: Partial<Record<'search' | 'retrain', boolean>>;
}

export function initialProgress(): ProgressState {
  return { phase: undefined, fraction: 0, etaSeconds: undefined, epoch: undefined, epochs: undefined, zeroBased: {} };
}

function stepFraction(event: StepEvent, zeroBased: boolean): number {
  const epochIndex = zeroBased ? event.epoch : event.epoch - 1;
  const stepsDone = zeroBased ? event.step + 1 : event.step;
  const total = Math.max(1, event.epochs * event.stepsPerEpoch);
  return Math.min(1, Math.max(0, (epochIndex * event.stepsPerEpoch + stepsDone) / total));
}

export function advanceProgress(state: ProgressState, event: RunEvent): ProgressState {
  if (event.type === 'progress') {
    const fraction = event.stage === 'done' ? 1 : Math.max(state.fraction, event.fraction);
    return { ...state, whole: true, stage: event.stage, stageLabel: event.label, basis: event.basis, fraction, etaSeconds: event.etaSeconds, etaScope: undefined };
  }
  if (state.whole) {
    // The engine's whole-run figures stand; phases and steps still say where the run is and which epoch.
    const moved = advanceSliced(state, event);
    return { ...moved, fraction: event.type === 'phase' && event.phase === 'done' ? 1 : state.fraction, etaSeconds: event.type === 'phase' && event.phase === 'done' ? 0 : state.etaSeconds, etaScope: undefined };
  }
  return advanceSliced(state, event);
}

function advanceSliced(state: ProgressState, event: RunEvent): ProgressState {
  if (event.type === 'phase') {
    const [start] = SLICES[event.phase];
    // Each loop estimates its own remaining time: a new phase starts without one.
    return { ...state, phase: event.phase, fraction: Math.max(state.fraction, start), etaSeconds: event.phase === 'done' ? 0 : undefined, etaScope: undefined, epoch: undefined, epochs: undefined };
  }
  if (event.type === 'decision' && event.progress && (state.phase === undefined || state.phase === 'search')) {
    // The ranking search sends no steps: its 'decision' events carry the work done of the work planned.
    const [start, end] = SLICES.search;
    const { done, total, etaSeconds } = event.progress;
    const within = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    return { ...state, phase: state.phase ?? 'search', etaSeconds, etaScope: 'search', fraction: Math.max(state.fraction, start + (end - start) * within) };
  }
  if (event.type === 'step' || event.type === 'epoch') {
    const known = state.zeroBased[event.phase];
    const zeroBased = known ?? event.epoch === 0;
    const next = { ...state, zeroBased: { ...state.zeroBased, [event.phase]: zeroBased }, epochs: event.epochs, epoch: zeroBased ? event.epoch + 1 : event.epoch };
    if (event.type === 'step') {
      // The baseline trains after the searched model is evaluated: its steps fill the evaluate slice.
      const [start, end] = SLICES[event.model === 'baseline' ? 'evaluate' : event.phase];
      const within = stepFraction(event, zeroBased);
      return { ...next, phase: state.phase ?? event.phase, etaSeconds: event.etaSeconds, etaScope: undefined, fraction: Math.max(state.fraction, start + (end - start) * within) };
    }
    return next;
  }
  return state;
}
