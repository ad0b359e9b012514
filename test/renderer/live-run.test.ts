import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import { initialLiveRun, reduceLiveRun } from '../../src-renderer/lib/live-run.js';
import { advanceProgress, initialProgress } from '../../src-renderer/lib/run-progress.js';

const step = (phase: 'search' | 'retrain', epoch: number, s: number, extra: Partial<RunEvent> = {}): RunEvent => ({
  type: 'step',
  phase,
  epoch,
  epochs: 2,
  step: s,
  stepsPerEpoch: 4,
  loss: 1 / (s + 1),
  score: 0.1 * s,
  scoreName: 'accuracy',
  etaSeconds: 10,
  imagesPerSecond: 100,
  ...(extra as object),
});

function run(events: RunEvent[]) {
  return events.reduce(reduceLiveRun, initialLiveRun('r1'));
}

describe('run progress', () => {
  it('never goes back and moves through the phases in order', () => {
    const events: RunEvent[] = [
      { type: 'phase', phase: 'loading' },
      { type: 'phase', phase: 'search' },
      // The search loop counts epochs and steps from 0 …
      step('search', 0, 0),
      step('search', 0, 3),
      step('search', 1, 3),
      { type: 'phase', phase: 'retrain' },
      // … retraining from 1.
      step('retrain', 1, 1),
      step('retrain', 2, 4),
      { type: 'phase', phase: 'evaluate' },
      { type: 'phase', phase: 'done' },
    ];
    const fractions: number[] = [];
    let state = initialProgress();
    for (const event of events) {
      state = advanceProgress(state, event);
      fractions.push(state.fraction);
    }
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    // The last search step ends the search slice exactly; the last retrain step ends the retrain slice.
    expect(fractions[4]).toBeCloseTo(0.7, 6);
    expect(fractions[7]).toBeCloseTo(0.95, 6);
    expect(fractions[2]).toBeGreaterThan(0.05);
    expect(fractions.at(-1)).toBe(1);
  });

  it('shows 1-based epochs whichever way the loop counts', () => {
    expect(advanceProgress(initialProgress(), step('search', 0, 0)).epoch).toBe(1);
    expect(advanceProgress(initialProgress(), step('retrain', 1, 1)).epoch).toBe(1);
  });
});

describe('reduceLiveRun', () => {
  it('collects loss and score curves per phase against fractional epochs', () => {
    const state = run([step('search', 0, 0), step('search', 0, 1), step('retrain', 1, 2)]);
    expect(state.loss.search.map((p) => p.x)).toEqual([0.25, 0.5]);
    expect(state.loss.search[1].y).toBeCloseTo(0.5);
    expect(state.loss.retrain).toEqual([{ x: 0.5, y: 1 / 3 }]);
    expect(state.scoreName).toBe('accuracy');
    expect(state.eventCount).toBe(3);
  });

  it('keeps the newest alphas and genotype from search epochs', () => {
    const alphas = { primitives: ['none', 'skip_connect'], edges: ['2<-0'], normal: [[0.3, 0.7]] };
    const state = run([
      { type: 'epoch', phase: 'search', epoch: 0, epochs: 2, trainLoss: 1, trainScore: 0.5, validLoss: 1.2, validScore: 0.4, alphas, genotype: '|skip_connect~0|' },
      { type: 'epoch', phase: 'search', epoch: 1, epochs: 2, trainLoss: 0.8, trainScore: 0.6, alphas: { ...alphas, normal: [[0.1, 0.9]] }, genotype: '|skip_connect~0|' },
    ]);
    expect(state.alphas?.normal).toEqual([[0.1, 0.9]]);
    expect(state.genotypeHistory).toHaveLength(2);
    expect(state.validLoss).toEqual([{ x: 1, y: 1.2 }]);
  });

  it('thins long curves instead of growing without bound', () => {
    let state = initialLiveRun('r1');
    for (let i = 0; i < 5000; i++) state = reduceLiveRun(state, { ...(step('search', 0, 0) as object), stepsPerEpoch: 5000, step: i } as RunEvent);
    expect(state.loss.search.length).toBeLessThanOrEqual(1500);
    expect(state.loss.search.at(-1)!.x).toBeCloseTo(1);
    const xs = state.loss.search.map((p) => p.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('keeps logs and guard messages, newest last', () => {
    const state = run([
      { type: 'log', level: 'warn', message: 'slow disk' },
      { type: 'guard', message: 'too many skip connections: stopped early' },
    ]);
    expect(state.logs).toEqual([
      { level: 'warn', message: 'slow disk' },
      { level: 'guard', message: 'too many skip connections: stopped early' },
    ]);
  });
});

describe('the cell the live view shows', () => {
  it('is the cell retrained once retraining starts, even when the guard changed the search pick', () => {
    const picked = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|';
    const retrained = '|nor_conv_3x3~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|';
    let state = initialLiveRun('r1');
    state = reduceLiveRun(state, { type: 'epoch', phase: 'search', epoch: 1, epochs: 1, genotype: picked } as RunEvent);
    expect(state.genotype).toBe(picked);
    state = reduceLiveRun(state, { type: 'phase', phase: 'retrain', message: retrained });
    expect(state).toMatchObject({ genotype: retrained, cellRetrained: true });
  });
});
