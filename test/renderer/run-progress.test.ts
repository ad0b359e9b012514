import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import { advanceProgress, initialProgress } from '../../src-renderer/lib/run-progress.js';

const progress = (stage: Extract<RunEvent, { type: 'progress' }>['stage'], fraction: number, etaSeconds: number): RunEvent => ({
  type: 'progress',
  stage,
  label: `${stage} words`,
  fraction,
  etaSeconds,
  elapsedSeconds: 1,
  basis: 'measured',
});

const step = (phase: 'search' | 'retrain', epoch: number, s: number, etaSeconds: number): RunEvent => ({
  type: 'step',
  phase,
  epoch,
  epochs: 2,
  step: s,
  stepsPerEpoch: 4,
  loss: 0.5,
  score: 0.5,
  scoreName: 'accuracy',
  etaSeconds,
  imagesPerSecond: 100,
});

describe('live progress from the engine\'s whole-run events', () => {
  it('takes the bar, the ETA and the stage from progress events; a phase\'s own steps no longer move them', () => {
    const events: RunEvent[] = [
      { type: 'phase', phase: 'search' },
      progress('rank', 0.1, 300),
      // A search step's ETA is the search's alone: it must not replace the whole run's.
      step('search', 1, 4, 5),
      { type: 'phase', phase: 'retrain' },
      progress('retrain', 0.4, 180),
      step('retrain', 2, 1, 20),
    ];
    const state = events.reduce(advanceProgress, initialProgress());
    expect(state).toMatchObject({ whole: true, stage: 'retrain', stageLabel: 'retrain words', fraction: 0.4, etaSeconds: 180, epoch: 2, epochs: 2 });
  });

  it('never moves the bar back, and ends at 100 % with nothing left', () => {
    let state = initialProgress();
    state = advanceProgress(state, progress('race', 0.3, 200));
    state = advanceProgress(state, progress('race', 0.25, 260));
    expect(state.fraction).toBe(0.3);
    expect(state.etaSeconds).toBe(260);
    state = advanceProgress(state, { type: 'phase', phase: 'done' });
    expect(state.fraction).toBe(1);
    expect(state.etaSeconds).toBe(0);
  });
});
