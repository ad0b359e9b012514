import { describe, expect, it } from 'vitest';
import type { GradientDecision, RankRaceDecision } from '../../src-main/contract/decision.js';
import type { RunEvent } from '../../src-main/contract/events.js';
import { decisionView, latestDecision, raceRounds, shortGenotype, type GradientView, type RankRaceView } from '../../src-renderer/lib/decision-view.js';
import { initialLiveRun, reduceLiveRun } from '../../src-renderer/lib/live-run.js';

const g = (n: number) => `|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~${n}|`;

/** A rank-race decision as the engine forms it: 4 entrants (rounds of 4 and 2), on accuracy. */
function rankRace(extra: Partial<RankRaceDecision> = {}): RankRaceDecision {
  return {
    method: 'rank-race',
    proxy: 'naswot',
    sampled: 30,
    ranked: [0, 1, 2, 3].map((i) => ({ genotype: g(i), score: 1500.123 - 10 * i })),
    race: [],
    scoreName: 'accuracy',
    verdict: 'undecided',
    message: 'Scored 30 of 30 candidates without training.',
    final: false,
    ...extra,
  };
}

const entry = (i: number, rung: number, validation: number) => ({ genotype: g(i), rung, samples: 1000 * 2 ** rung, validation });

describe('decision view: the ranking search', () => {
  it('counts the candidates scored from the progress while ranking, and shows the best with their scores', () => {
    const view = decisionView(rankRace({ sampled: 100, message: 'Scored 40 of 100 candidates without training.' }), { progress: { done: 40, total: 104, etaSeconds: 50 } }) as RankRaceView;
    expect(view.state).toBe('forming');
    expect(view.headline).toBe('Still deciding');
    expect(view.scored.text).toBe('Scored 40 of 100 candidate architectures without training.');
    expect(view.ranked.map((r) => [r.label, r.score])).toEqual([
      ['#1', '1,500'],
      ['#2', '1,490'],
      ['#3', '1,480'],
      ['#4', '1,470'],
    ]);
    expect(view.proxy.explanation).toMatch(/how differently the untrained network responds to each of your images/);
    expect(view.race).toEqual([]);
    expect(view.raceText).toBeUndefined();
  });

  it('greys the eliminated half of a round only once the round is complete', () => {
    // Round 1 half done: nobody is out yet.
    let view = decisionView(rankRace({ race: [entry(0, 0, 0.8), entry(1, 0, 0.85)] })) as RankRaceView;
    expect(view.scored.done).toBe(30);
    expect(view.race.map((r) => r.status)).toEqual(['racing', 'racing']);
    expect(view.raceText).toBe('round 1 of 2');
    // Round 1 complete: the better half goes on, best first.
    view = decisionView(rankRace({ race: [entry(0, 0, 0.8), entry(1, 0, 0.85), entry(2, 0, 0.7), entry(3, 0, 0.82)] })) as RankRaceView;
    expect(view.race.map((r) => [r.label, r.validation, r.status])).toEqual([
      ['#2', '85.0 %', 'through'],
      ['#4', '82.0 %', 'through'],
      ['#1', '80.0 %', 'eliminated'],
      ['#3', '70.0 %', 'eliminated'],
    ]);
    // Round 2 begun: round 1 stays decided, round 2 is racing.
    view = decisionView(rankRace({ race: [entry(0, 0, 0.8), entry(1, 0, 0.85), entry(2, 0, 0.7), entry(3, 0, 0.82), entry(3, 1, 0.88)] })) as RankRaceView;
    expect(view.race.filter((r) => r.round === 2).map((r) => [r.images, r.status])).toEqual([['2,000', 'racing']]);
    expect(view.raceText).toBe('round 2 of 2');
  });

  it('names the winner when final and says in plain words when the data cannot separate the finalists', () => {
    const race = [entry(0, 0, 0.8), entry(1, 0, 0.85), entry(2, 0, 0.7), entry(3, 0, 0.82), entry(3, 1, 0.88), entry(1, 1, 0.879)];
    const message =
      'The two best architectures scored within 0.1 points of each other on validation data, less than chance explains (1.5 points): your data cannot separate them, and either is a sound choice.';
    const view = decisionView(rankRace({ race, final: true, winner: g(3), margin: 0.001, noise: 0.015, verdict: 'undecided', message })) as RankRaceView;
    expect(view.state).toBe('undecided');
    expect(view.headline).toBe('Undecided: your data cannot separate the best candidates: either is a sound choice.');
    expect(view.message).toBe(message);
    expect(view.race.filter((r) => r.round === 2).map((r) => [r.label, r.status])).toEqual([
      ['#4', 'winner'],
      ['#2', 'eliminated'],
    ]);
    expect(view.raceText).toBe('over after 2 rounds');
    expect(view.winner).toBe(g(3));
    // A decided race reads differently.
    expect(decisionView(rankRace({ race, final: true, winner: g(3), verdict: 'decided', message: 'beat' })).headline).toMatch(/^Decided:/);
  });

  it('keeps a single entrant as the winner', () => {
    const view = decisionView(rankRace({ ranked: [{ genotype: g(0), score: 1 }], race: [entry(0, 0, 0.9)], final: true, winner: g(0), verdict: 'decided' })) as RankRaceView;
    expect(view.race.map((r) => r.status)).toEqual(['winner']);
    expect(raceRounds(1)).toBe(1);
    expect(raceRounds(8)).toBe(3);
    expect(raceRounds(5)).toBe(3);
  });

  it('writes PSNR for denoising races', () => {
    const view = decisionView(rankRace({ scoreName: 'psnr', race: [entry(0, 0, 28.456)] })) as RankRaceView;
    expect(view.race[0].validation).toBe('28.46 dB');
  });
});

describe('decision view: gradient searches', () => {
  const gradient: GradientDecision = {
    method: 'gradient',
    edges: [
      { cell: 'normal', edge: '2<-0', op: 'sep_conv_3x3', probability: 0.61, runnerUp: 'skip_connect', margin: 0.42 },
      { cell: 'normal', edge: '2<-1', op: 'max_pool_3x3', probability: 0.21, runnerUp: 'avg_pool_3x3', margin: 0.013 },
    ],
    decidedEdges: 1,
    totalEdges: 2,
    threshold: 0.1,
    verdict: 'partly',
    message: '1 of 2 edges decided.',
  };

  it('lists each edge with its probability, runner-up and margin, and the decided count', () => {
    const view = decisionView(gradient) as GradientView;
    expect(view.state).toBe('partly');
    expect(view.headline).toMatch(/^Partly decided/);
    expect(view.decidedText).toBe('1 of 2 connections have a clear favourite (ahead of the next operation by 10 points of probability or more).');
    expect(view.edges.map((e) => [e.edge, e.op, e.probability, e.runnerUp, e.margin, e.decided])).toEqual([
      ['2<-0', 'sep_conv_3x3', '61 %', 'skip_connect', '42 points', true],
      ['2<-1', 'max_pool_3x3', '21 %', 'avg_pool_3x3', '1.3 points', false],
    ]);
    expect(view.edges[0].marginValue).toBeCloseTo(0.42);
  });

  it('is still forming while the search runs, whatever its verdict so far', () => {
    expect(decisionView({ ...gradient, verdict: 'undecided' }, { forming: true }).state).toBe('forming');
    expect(decisionView({ ...gradient, verdict: 'undecided' }).headline).toMatch(/^Undecided: your data cannot separate/);
  });
});

describe('decisions in the live state and the progress', () => {
  const decisionEvent = (decision: RankRaceDecision, done: number, total = 40): RunEvent => ({ type: 'decision', decision, progress: { done, total, etaSeconds: 12 } });

  it('keeps the newest decision, moves the search bar by its progress, and shows the race winner as the cell', () => {
    const events: RunEvent[] = [{ type: 'phase', phase: 'loading' }, { type: 'phase', phase: 'search', message: 'rank-race on the nb201 space' }, decisionEvent(rankRace(), 10)];
    let state = events.reduce(reduceLiveRun, initialLiveRun('r1'));
    expect(state.decision?.method).toBe('rank-race');
    expect(state.decisionProgress).toEqual({ done: 10, total: 40, etaSeconds: 12 });
    expect(state.progress.fraction).toBeCloseTo(0.05 + 0.65 * 0.25, 6);
    expect(state.progress.etaSeconds).toBe(12);
    expect(state.progress.etaScope).toBe('search');
    expect(state.genotype).toBeUndefined();

    state = reduceLiveRun(state, decisionEvent(rankRace({ race: [entry(0, 0, 0.9)], final: true, winner: g(0), verdict: 'decided' }), 40));
    expect(state.progress.fraction).toBeCloseTo(0.7, 6);
    expect(state.genotype).toBe(g(0));

    // Retraining's steps take the estimate back for the whole run.
    state = reduceLiveRun(state, { type: 'phase', phase: 'retrain', message: g(0) });
    expect(state.progress.etaScope).toBeUndefined();
    expect(state.genotype).toBe(g(0));
  });

  it('never moves the bar back by a decision sent after the search', () => {
    let state = [{ type: 'phase', phase: 'retrain' } as RunEvent].reduce(reduceLiveRun, initialLiveRun('r1'));
    const before = state.progress;
    state = reduceLiveRun(state, decisionEvent(rankRace(), 1));
    expect(state.progress).toEqual(before);
  });

  it('finds the newest decision in stored events', () => {
    const events: RunEvent[] = [decisionEvent(rankRace({ message: 'first' }), 10), { type: 'log', level: 'info', message: 'x' }, decisionEvent(rankRace({ message: 'second' }), 20)];
    expect(latestDecision(events)?.decision.message).toBe('second');
    expect(latestDecision(events)?.progress?.done).toBe(20);
    expect(latestDecision([{ type: 'phase', phase: 'search' }])).toBeUndefined();
  });

  it('shortens long genotypes', () => {
    expect(shortGenotype('abc', 5)).toBe('abc');
    expect(shortGenotype('abcdefgh', 5)).toBe('abcd…');
  });
});
