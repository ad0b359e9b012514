import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import { createRunProgress } from '../../src-main/engine/progress/run-progress.js';
import { defaultRatios, racePlan, retrainImages, stageWork } from '../../src-main/engine/progress/stage-work.js';
import { resolveConfig } from '../../src-main/engine/search/presets.js';
import type { RunOptions } from '../../src-main/engine/search/run-search.types.js';
import { sampleResult, writeRunFolder } from '../engine-host/helpers.js';
import { startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

const sizes = { train: 2_000, validation: 500, test: 1_000 };
/** Seconds per unit of work of the pretend machine: a whole run of about half a minute, the latency guess (12 s) included. */
const PACE = 0.0006;

/**
 * A run whose training is pretend (it sleeps as long as the work would take at PACE) but whose events are a
 * real run's, through the real whole-run progress model: the browser test checks what the live view makes of them.
 */
async function pretendRun(_config: unknown, options: RunOptions) {
  const config = resolveConfig({ data: { kind: 'builtin', name: 'mnist' }, candidates: 20, raceSize: 4, raceSamples: 300, retrainSamples: 1_000, retrainEpochs: 1, batchSize: 50, workers: 1 });
  const emit = (event: RunEvent) => {
    options.onEvent?.(event);
    tracker.observe(event);
  };
  const tracker = createRunProgress(config, { emit: (event) => options.onEvent?.(event), tickMs: 250 });
  const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const ratios = defaultRatios(config);
  const work = stageWork(config, sizes, ratios);
  emit({ type: 'phase', phase: 'loading' });
  await sleep(0.3);
  tracker.sizes(sizes);
  emit({ type: 'phase', phase: 'search' });
  for (let done = 5; done <= config.candidates; done += 5) {
    await sleep((work.get('rank')! / config.candidates) * 5 * PACE);
    emit({ type: 'decision', decision: { method: 'rank-race', proxy: 'naswot', sampled: config.candidates, ranked: [], race: [], scoreName: 'accuracy', verdict: 'undecided', message: '', final: false }, progress: { done, total: 1, etaSeconds: 0 } });
  }
  const race: { genotype: string; rung: number; samples: number; validation: number }[] = [];
  for (const [rung, round] of racePlan(config, sizes, ratios).rounds.entries()) {
    for (let i = 0; i < round.entrants; i++) {
      await sleep(round.units * PACE);
      race.push({ genotype: `g${i}`, rung, samples: 1, validation: 0.9 });
      emit({ type: 'decision', decision: { method: 'rank-race', proxy: 'naswot', sampled: config.candidates, ranked: [], race: [...race], scoreName: 'accuracy', verdict: 'undecided', message: '', final: false }, progress: { done: 1, total: 2, etaSeconds: 0 } });
    }
  }
  const steps = retrainImages(config, sizes) / config.batchSize;
  const train = async (model: 'baseline' | undefined, secondsPerImage: number) => {
    for (let step = 1; step <= steps; step++) {
      await sleep(config.batchSize * secondsPerImage);
      emit({ type: 'step', phase: 'retrain', epoch: 1, epochs: 1, step, stepsPerEpoch: steps, loss: 0.5, score: 0.5, scoreName: 'accuracy', etaSeconds: 1, imagesPerSecond: 1, ...(model ? { model } : {}) });
    }
  };
  emit({ type: 'phase', phase: 'retrain' });
  await train(undefined, PACE);
  emit({ type: 'phase', phase: 'evaluate' });
  await sleep(work.get('evaluate')! * PACE);
  tracker.enter('baseline');
  await train('baseline', PACE * ratios.baselineUnits);
  await sleep(sizes.test * ratios.evalUnits * ratios.baselineUnits * PACE);
  tracker.enter('latency');
  await sleep(ratios.latencySeconds);
  emit({ type: 'phase', phase: 'done' });
  tracker.stop();
  const runId = options.runId ?? 'pretend';
  const result = sampleResult(runId);
  return { ...result, runDir: writeRunFolder(options.outDir, runId, result) };
}

/** The live view's bar and ETA cover the whole run: the ETA read between 10 % and 50 % of it lands near the real end. */
describe('live view: whole-run progress', () => {
  let fixture: ServeFixture;
  beforeAll(async () => {
    fixture = await startServeFixture({ hash: '#/new-search', engine: 'in-process', engineEntryPoints: { runSearch: pretendRun } });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('names the stage, moves forward, and its ETA taken at 10-50 % lands within 25 % of the end', async () => {
    const { page } = fixture;
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('data-builtin').check();
    await page.getByTestId('inspect-data').click();
    await page.locator('[data-testid="data-report"], [data-testid="inspect-notice"]').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('start-search').click();
    const started = Date.now();
    const samples: { at: number; percent: number; eta?: number; label: string }[] = [];
    await page.getByTestId('run-progress').waitFor({ timeout: 30_000 });
    while (Date.now() - started < 120_000) {
      const status = await page.getByTestId('live-status').innerText().catch(() => '');
      if (/done|failed|cancelled/.test(status)) break;
      const percent = Number(await page.getByTestId('run-progress').getAttribute('aria-valuenow'));
      const head = await page.locator('.progress .head').innerText();
      const eta = /about (?:(\d+) min )?(\d+) s left for the whole run/.exec(head);
      samples.push({ at: (Date.now() - started) / 1000, percent, label: head, ...(eta ? { eta: Number(eta[1] ?? 0) * 60 + Number(eta[2]) } : {}) });
      await page.waitForTimeout(250);
    }
    const end = (Date.now() - started) / 1000;
    expect(await page.getByTestId('live-status').innerText()).toBe('done');
    for (let i = 1; i < samples.length; i++) expect(samples[i].percent).toBeGreaterThanOrEqual(samples[i - 1].percent);
    expect(samples.some((s) => /retraining the chosen model/.test(s.label))).toBe(true);
    expect(samples.some((s) => /training the fixed baseline/.test(s.label))).toBe(true);
    const window = samples.filter((s) => s.eta !== undefined && s.at >= 0.1 * end && s.at <= 0.5 * end);
    expect(window.length).toBeGreaterThan(5);
    const errors = window.map((s) => Math.abs(s.at + s.eta! - end) / end).sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.25);

    // A reload does not forget the finished run: the Live view shows it, done.
    const runId = await page.getByTestId('live-run-id').innerText();
    await page.reload();
    await page.getByTestId('nav-live').click();
    await page.getByTestId('live-status').getByText('done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('live-run-id').innerText()).toBe(runId);
    fixture.expectNoErrors();
  });
});
