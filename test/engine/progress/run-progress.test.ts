import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RankRaceDecision } from '../../../src-main/contract/decision.js';
import type { RunEvent, RunStage } from '../../../src-main/contract/events.js';
import type { ResolvedSearchConfig } from '../../../src-main/contract/search-config.js';
import { createRunProgress, type ProgressEvent } from '../../../src-main/engine/progress/run-progress.js';
import { loadRatios } from '../../../src-main/engine/progress/pace-calibration.js';
import { defaultRatios, racePlan, retrainImages, stageWork, type DataSizes, type PaceRatios } from '../../../src-main/engine/progress/stage-work.js';
import { resolveConfig } from '../../../src-main/engine/search/presets.js';

const sizes: DataSizes = { train: 55_000, validation: 5_000, test: 10_000 };

/**
 * A whole run played on a fake clock: every stage takes the time its work would on a machine whose
 * seconds per unit are `pace[stage]` (training stages) and whose ranking and latency take what they take.
 * Returns the progress events with the time they were emitted.
 */
function simulate(
  config: ResolvedSearchConfig,
  pace: Partial<Record<RunStage, number>>,
  options: { rankSeconds?: number; resumeRetrainAt?: number; entrantSeconds?: number; raceSpeeds?: boolean; truth?: Partial<PaceRatios>; calibrate?: boolean } = {},
) {
  let t = 0;
  const out: { t: number; event: ProgressEvent }[] = [];
  // How this pretend machine compares kinds of work: the defaults unless the test says otherwise.
  const truth = { ...defaultRatios(config), ...options.truth };
  const tracker = createRunProgress(config, { emit: (event) => out.push({ t, event }), now: () => t * 1000, minIntervalMs: 0, ...(options.calibrate ? { calibrate: true } : {}) });
  const send = (event: RunEvent) => tracker.observe(event);
  const wait = (seconds: number) => (t += seconds);
  const work = stageWork(config, sizes, truth);
  const stepsOf = (images: number) => Math.floor(images / config.batchSize / config.retrainEpochs);

  send({ type: 'phase', phase: 'loading' });
  wait(2);
  tracker.sizes(sizes);
  send({ type: 'phase', phase: 'search' });
  if (config.strategy === 'rank-race') {
    const decision: RankRaceDecision = { method: 'rank-race', proxy: 'naswot', sampled: config.candidates, ranked: [], race: [], scoreName: 'accuracy', verdict: 'undecided', message: '', final: false };
    const perCandidate = (options.rankSeconds ?? 30) / config.candidates;
    // As rank-race.ts: a decision every ten candidates scored, and one at the last.
    for (let done = Math.min(10, config.candidates), before = 0; before < config.candidates; before = done, done = Math.min(done + 10, config.candidates)) {
      wait(perCandidate * (done - before));
      send({ type: 'decision', decision: structuredClone(decision), progress: { done, total: 1, etaSeconds: 0 } });
    }
    racePlan(config, sizes, truth).rounds.forEach((round, rung) => {
      for (let i = 0; i < round.entrants; i++) {
        // A fixed part per entrant (model building, threads, scoring), then its training.
        wait((options.entrantSeconds ?? 0) + round.units * pace.race!);
        decision.race.push({ genotype: `g${i}`, rung, samples: 1, validation: 0.9 });
        const imagesPerSecond = options.raceSpeeds ? 1 / (round.batchFactor * pace.race!) : undefined;
        send({ type: 'decision', decision: structuredClone(decision), progress: { done: 1, total: 2, etaSeconds: 0, ...(imagesPerSecond ? { imagesPerSecond } : {}) } });
      }
    });
  } else {
    const steps = 50;
    for (let s = 1; s <= steps; s++) {
      wait((work.get('search')! * pace.search!) / steps);
      send({ type: 'step', phase: 'search', epoch: 1, epochs: 1, step: s, stepsPerEpoch: steps, loss: 1, score: 0.5, scoreName: 'accuracy', etaSeconds: 0, imagesPerSecond: 1 });
    }
  }
  // Seconds per image trained: a unit's pace, times the units of an image of that model.
  const trainSteps = (phase: 'retrain', model: 'baseline' | undefined, stagePace: number, from = 0) => {
    const perEpoch = stepsOf(retrainImages(config, sizes));
    for (let epoch = 1; epoch <= config.retrainEpochs; epoch++) {
      for (let step = 1; step <= perEpoch; step++) {
        if ((epoch - 1) * perEpoch + step <= from) continue;
        wait(config.batchSize * stagePace);
        send({ type: 'step', phase, epoch, epochs: config.retrainEpochs, step, stepsPerEpoch: perEpoch, loss: 1, score: 0.5, scoreName: 'accuracy', etaSeconds: 0, imagesPerSecond: 1, ...(model ? { model } : {}) });
      }
    }
  };
  send({ type: 'phase', phase: 'retrain' });
  trainSteps('retrain', undefined, pace.retrain!, options.resumeRetrainAt);
  send({ type: 'phase', phase: 'evaluate' });
  wait(work.get('evaluate')! * pace.retrain!);
  tracker.enter('baseline');
  const baselinePace = (pace.baseline ?? pace.retrain!) * truth.baselineUnits;
  trainSteps('retrain', 'baseline', baselinePace);
  wait(sizes.test * truth.evalUnits * baselinePace);
  tracker.enter('latency');
  wait(truth.latencySeconds);
  send({ type: 'phase', phase: 'done' });
  tracker.stop();
  return { events: out, end: t };
}

/** |predicted end − real end| over the run's length, for the ETAs emitted between 10 % and 50 % of the run. */
function etaErrors(events: { t: number; event: ProgressEvent }[], end: number): number[] {
  return events.filter(({ t }) => t >= 0.1 * end && t <= 0.5 * end).map(({ t, event }) => Math.abs(t + event.etaSeconds - end) / end);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('whole-run progress', () => {
  const quick = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, workers: 2 });

  it('names every stage of a ranking run in order, and the bar only moves forward to 100 % at the end', () => {
    const { events } = simulate(quick, { race: 0.004, retrain: 0.003 });
    const stages = events.map((e) => e.event.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['loading', 'rank', 'race', 'retrain', 'evaluate', 'baseline', 'latency', 'done']);
    const fractions = events.map((e) => e.event.fraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions.slice(0, -1).every((f) => f < 1)).toBe(true);
    expect(events.at(-1)!.event).toMatchObject({ stage: 'done', fraction: 1, etaSeconds: 0 });
    // The baseline's training moves the bar: it is not parked at one value.
    const baseline = events.filter((e) => e.event.stage === 'baseline').map((e) => e.event.fraction);
    expect(baseline.at(-1)! - baseline[0]).toBeGreaterThan(0.03);
  });

  it('the ETA taken between 10 % and 50 % of the run lands within 25 % of the real end when the machine keeps its pace', () => {
    const steady = simulate(quick, { race: 0.003, retrain: 0.003 }, { rankSeconds: 40 });
    const errors = etaErrors(steady.events, steady.end);
    // One ETA per race entrant: the quick race's 18 entries give 8 of them in that window.
    expect(errors.length).toBeGreaterThan(5);
    expect(median(errors)).toBeLessThan(0.05);
    // The race's cells, the chosen one and the baseline train at paces a third apart: still within 25 %.
    const uneven = simulate(quick, { race: 0.004, retrain: 0.003, baseline: 0.0035 }, { rankSeconds: 40 });
    expect(median(etaErrors(uneven.events, uneven.end))).toBeLessThan(0.25);
  });

  it("prices the retraining by the race's training speed, not by its entrants' whole time (building and scoring each model)", () => {
    const small = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, candidates: 16, raceSize: 6, raceSamples: 600, retrainSamples: 4000, workers: 2 });
    const timed = simulate(small, { race: 0.006, retrain: 0.006 }, { rankSeconds: 20, entrantSeconds: 12, raceSpeeds: true });
    const untimed = simulate(small, { race: 0.006, retrain: 0.006 }, { rankSeconds: 20, entrantSeconds: 12, raceSpeeds: false });
    const duringRace = (run: typeof timed) => run.events.filter((e) => e.event.stage === 'race' && e.t > 40).map((e) => Math.abs(e.t + e.event.etaSeconds - run.end) / run.end);
    expect(median(duringRace(timed))).toBeLessThan(0.1);
    expect(median(duringRace(untimed))).toBeGreaterThan(median(duringRace(timed)));
  });

  it('covers the retraining and the baseline while a gradient search runs (the ETA is not the search\'s alone)', () => {
    const darts = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, strategy: 'gdas', workers: 2 });
    const { events, end } = simulate(darts, { search: 0.0028, retrain: 0.003 });
    const during = events.filter((e) => e.event.stage === 'search' && e.event.basis === 'measured');
    expect(during.length).toBeGreaterThan(10);
    // Midway through the search, the time left is far more than the search's own.
    const mid = during[Math.floor(during.length / 2)];
    const searchEnd = events.find((e) => e.event.stage === 'retrain')!.t;
    expect(mid.event.etaSeconds).toBeGreaterThan(2 * (searchEnd - mid.t));
    expect(median(etaErrors(events, end))).toBeLessThan(0.25);
  });

  it('a resumed retraining times only the steps it trains itself', () => {
    const half = Math.floor((retrainImages(quick, sizes) / quick.batchSize) / 2);
    const { events } = simulate(quick, { race: 0.004, retrain: 0.003 }, { resumeRetrainAt: half });
    const retrain = events.filter((e) => e.event.stage === 'retrain');
    const late = retrain[Math.floor(retrain.length * 0.9)];
    const retrainEnd = events.find((e) => e.event.stage === 'evaluate')!.t;
    // Counting the checkpoint's steps as done in no time would make the pace twice too fast.
    const stepsLeft = retrainEnd - late.t;
    const after = late.event.etaSeconds - stepsLeft;
    const predictedAfter = events.find((e) => e.event.stage === 'evaluate')!.event.etaSeconds;
    expect(Math.abs(after - predictedAfter) / predictedAfter).toBeLessThan(0.25);
  });

  it("learns this machine's ratios from finished runs, and the next run's ETA uses them", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'nas-calibration-'));
    const previous = process.env.NAS_STUDIO_HOME;
    process.env.NAS_STUDIO_HOME = home;
    try {
      const truth: PaceRatios = { rankUnits: 900, firstRoundFactor: 2, entrantUnits: 600, evalUnits: 0.3, baselineUnits: 0.8, latencySeconds: 30 };
      const config = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, candidates: 16, raceSize: 6, raceSamples: 600, retrainSamples: 4000, workers: 2 });
      const first = simulate(config, { race: 0.004, retrain: 0.004 }, { rankSeconds: 16 * 900 * 0.004, raceSpeeds: true, truth, calibrate: true });
      const learned = loadRatios(config);
      for (const key of Object.keys(truth) as (keyof PaceRatios)[]) expect(learned[key] / truth[key], key).toBeCloseTo(1, 1);
      const second = simulate(config, { race: 0.004, retrain: 0.004 }, { rankSeconds: 16 * 900 * 0.004, raceSpeeds: true, truth, calibrate: true });
      expect(median(etaErrors(second.events, second.end))).toBeLessThan(median(etaErrors(first.events, first.end)));
      expect(median(etaErrors(second.events, second.end))).toBeLessThan(0.05);
    } finally {
      if (previous === undefined) delete process.env.NAS_STUDIO_HOME;
      else process.env.NAS_STUDIO_HOME = previous;
    }
  });

  it('says the figures are rough until something has been timed', () => {
    const events: ProgressEvent[] = [];
    const tracker = createRunProgress(quick, { emit: (e) => events.push(e), now: () => 0, minIntervalMs: 0 });
    tracker.sizes(sizes);
    expect(events[0]).toMatchObject({ stage: 'loading', basis: 'rough' });
    expect(events[0].etaSeconds).toBeGreaterThan(0);
  });
});

describe('whole-run progress: a failing write', () => {
  it('does not throw from its timer (a full disk is reported by the run itself)', async () => {
    const config = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, workers: 1 });
    let calls = 0;
    const tracker = createRunProgress(config, {
      emit: () => {
        calls++;
        if (calls > 1) throw new Error('ENOSPC');
      },
      tickMs: 5,
      minIntervalMs: 0,
    });
    tracker.sizes(sizes);
    await new Promise((resolve) => setTimeout(resolve, 40));
    tracker.stop();
    expect(calls).toBeGreaterThan(1);
  });
});
