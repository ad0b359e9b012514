import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFreshRenderer, miniMnist } from './fixtures/e2e-data.js';
import { startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

/**
 * One whole search driven through the UI, against the real engine in the serve mode: the wizard, the
 * live charts, the results and the export, with a screenshot of every view (docs/screenshots).
 *
 * The data is MNIST itself, cut to 2,000 training and 400 test digits and offered as the user's own
 * IDX folder: retraining reads every training sample, and the full 60,000 take 10–40 minutes on this
 * 2-core machine, far beyond a browser test (see the report; the contract has no retrain-sample cap).
 */
/** NAS_E2E_BUILTIN_MNIST=1 runs the first search on the built-in MNIST (all 60,000 digits: 10+ minutes here). */
const BUILTIN_MNIST = process.env.NAS_E2E_BUILTIN_MNIST === '1';
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SHOTS = path.join(repoRoot, 'docs', 'screenshots');

/** The view at 1280×800; `full` adds <name>-full.png with the whole page (what lies below the fold). */
async function shot(page: Page, name: string, full = false): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  if (full) await page.screenshot({ path: path.join(SHOTS, `${name}-full.png`), fullPage: true });
}

async function noBanner(page: Page, where: string): Promise<void> {
  const banner = page.getByTestId('error-banner');
  if ((await banner.count()) > 0) throw new Error(`${where}: unexpected error banner: ${await banner.innerText()}`);
}

const attr = async (page: Page, testid: string, name: string): Promise<number> => Number((await page.getByTestId(testid).first().getAttribute(name)) ?? 'NaN');

describe('a whole search through the UI', () => {
  let fixture: ServeFixture;
  let dataDir: string;
  const timings: Record<string, number> = {};
  let clock = Date.now();
  const lap = (name: string): void => {
    timings[name] = Math.round((Date.now() - clock) / 100) / 10;
    clock = Date.now();
  };

  beforeAll(async () => {
    ensureFreshRenderer();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = miniMnist();
    fixture = await startServeFixture({ hash: '#/hardware' });
    await fixture.page.setViewportSize({ width: 1280, height: 800 });
    await fixture.page.emulateMedia({ colorScheme: 'light' });
    lap('setup');
  });

  afterAll(async () => {
    await fixture?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log('e2e timings (s):', JSON.stringify(timings));
  });

  it('profiles, searches, shows live progress, results and exports', async () => {
    const { page } = fixture;

    // Hardware: the profile, the backend and why the others did not load, the benchmarks.
    await page.getByTestId('hardware-facts').waitFor({ timeout: 120_000 });
    await page.getByTestId('backend-in-use').waitFor();
    expect(await page.getByTestId('backend-tried').innerText()).toMatch(/wasm|cpu|tensorflow/);
    await page.getByTestId('latency-load').click();
    await page.locator('[data-testid="latency-notice"], [data-testid="latency-table"]').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('reprofile').click();
    await page.getByTestId('reprofile').getByText('Re-profile', { exact: true }).waitFor({ timeout: 120_000 });
    await noBanner(page, 'hardware');
    await shot(page, 'hardware', true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'hardware-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    lap('hardware');

    // New search: task → data → search, with small numbers so the run takes a few minutes here.
    await page.getByTestId('nav-new-search').click();
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').click();
    if (BUILTIN_MNIST) {
      await page.getByTestId('data-builtin').check();
      await page.getByTestId('builtin-name').selectOption('mnist');
    } else {
      await page.getByTestId('data-path').fill(dataDir);
      await page.getByTestId('data-path-choice').check();
    }
    await page.getByTestId('inspect-data').click();
    await page.locator('[data-testid="data-report"], [data-testid="inspect-notice"]').first().waitFor({ timeout: 60_000 });
    await noBanner(page, 'data inspection');
    if ((await page.getByTestId('data-report').count()) > 0) {
      expect(await page.getByTestId('class-counts').innerText()).toMatch(/\b9\b/);
    }
    await shot(page, 'new-search-data');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('space').selectOption('darts');
    await page.getByTestId('strategy').selectOption('gdas');
    await page.getByTestId('preset').selectOption('quick');
    await page.locator('[data-testid="advanced"] summary').click();
    const advanced: Record<string, string> = { epochs: '1', retrainEpochs: '3', searchSamples: '1000', batchSize: '64', channels: '4', cells: '2' };
    for (const [key, value] of Object.entries(advanced)) await page.getByTestId(`adv-${key}`).fill(value);
    await page.getByTestId('estimate').getByText(/Estimated time|Time estimate/).waitFor({ timeout: 30_000 });
    await noBanner(page, 'search step');
    await shot(page, 'new-search');
    await page.getByTestId('start-search').click();
    lap('wizard');

    // Live run: the progress value rises, the loss chart receives points, the alphas and cell appear.
    await page.getByTestId('live-run-id').waitFor({ timeout: 30_000 });
    await expect.poll(() => attr(page, 'run-progress', 'aria-valuenow'), { timeout: 180_000, interval: 500 }).toBeGreaterThan(5);
    await expect.poll(() => attr(page, 'loss-chart', 'data-points'), { timeout: 180_000, interval: 500 }).toBeGreaterThan(0);
    const firstProgress = await attr(page, 'run-progress', 'aria-valuenow');
    const firstPoints = await attr(page, 'loss-chart', 'data-points');
    await page.getByTestId('heatmap-normal').waitFor({ timeout: 240_000 });
    await page.getByTestId('live-cell-graph').waitFor();

    // Pause and resume while retraining runs.
    if ((await page.getByTestId('live-status').innerText()) === 'running') {
      await page.getByTestId('pause').click();
      await page.getByTestId('live-status').getByText('paused').waitFor({ timeout: 60_000 });
      await page.getByTestId('resume').click();
      await page.getByTestId('live-status').getByText('running').waitFor({ timeout: 60_000 });
    }
    await expect.poll(() => attr(page, 'loss-chart', 'data-points'), { timeout: 180_000, interval: 500 }).toBeGreaterThan(firstPoints);
    await expect.poll(() => attr(page, 'run-progress', 'aria-valuenow'), { timeout: 180_000, interval: 500 }).toBeGreaterThan(firstProgress);
    // Into retraining, so the picture shows both curves, the alphas and the cell.
    await expect.poll(() => attr(page, 'run-progress', 'aria-valuenow'), { timeout: 240_000, interval: 500 }).toBeGreaterThan(80);
    await noBanner(page, 'live run');
    await shot(page, 'live', true);
    lap('live until screenshot');
    await page.getByTestId('live-status').getByText(/done|failed|cancelled/).waitFor({ timeout: BUILTIN_MNIST ? 840_000 : 420_000 });
    expect(await page.getByTestId('live-status').innerText(), (await page.getByTestId('run-failed').count()) > 0 ? await page.getByTestId('run-failed').innerText() : '').toBe('done');
    expect(await attr(page, 'run-progress', 'aria-valuenow')).toBe(100);
    lap('run to the end');

    // Results: the run's metrics, genotype and cell graph.
    await page.getByTestId('open-results').click();
    await page.getByTestId('run-metrics').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-metrics').innerText()).toMatch(/Accuracy\s+\d+(\.\d)? %/);
    await page.getByTestId('result-cell-graph').waitFor();
    await page.getByTestId('runs-table').waitFor();
    await page.getByTestId('filter-status').selectOption('done');
    await expect.poll(() => page.getByTestId('open-run').count()).toBe(1);
    await noBanner(page, 'results');
    await shot(page, 'results', true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'results-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    lap('results');

    // Export: every format (all ticked by default), each verified; the report table.
    await page.getByTestId('go-export').click();
    await page.getByTestId('format-tfjs').check();
    await page.getByTestId('format-onnx').check();
    await page.getByTestId('export-start').click();
    await page.locator('[data-testid="export-report"], [data-testid="error-banner"]').first().waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('error-banner').count(), 'the export failed').toBe(0);
    const table = page.getByTestId('export-table');
    expect(await table.locator('tr[data-format="tfjs"] td').nth(3).innerText()).toBe('yes');
    expect(await table.locator('tr[data-format="onnx"] td').nth(3).innerText()).toBe('yes');
    await page.getByTestId('export-location').waitFor();
    // One RAM figure for a device, measured by TFLite Micro, and the flash the model takes.
    const device = page.getByTestId('device-table');
    expect(await device.locator('tr[data-row="sram"]').innerText()).toMatch(/measured/);
    expect(await device.locator('tr[data-row="flash"]').innerText()).toMatch(/int8 model/);
    await shot(page, 'export');
    // The report stays with the run: away and back, it is there without exporting again.
    await page.getByTestId('nav-results').click();
    await page.getByTestId('nav-export').click();
    await page.getByTestId('export-table').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('export-table').locator('tr[data-format="onnx"] td').nth(3).innerText()).toBe('yes');
    lap('export');

    // A second, different search (the NAS-Bench-201 cell), then the two side by side and on the Pareto plot.
    await page.getByTestId('nav-new-search').click();
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('data-path').fill(dataDir);
    await page.getByTestId('data-path-choice').check();
    await page.getByTestId('inspect-data').click();
    await page.locator('[data-testid="data-report"], [data-testid="inspect-notice"]').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('space').selectOption('nb201');
    await page.locator('[data-testid="advanced"] summary').click();
    for (const [key, value] of Object.entries({ ...advanced, retrainEpochs: '1' })) await page.getByTestId(`adv-${key}`).fill(value);
    await page.getByTestId('start-search').click();
    await page.getByTestId('live-status').getByText(/done|failed|cancelled/).waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('live-status').innerText(), (await page.getByTestId('run-failed').count()) > 0 ? await page.getByTestId('run-failed').innerText() : '').toBe('done');
    lap('second run');
    await page.getByTestId('open-results').click();
    await page.getByTestId('run-metrics').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('open-run').count()).toBe(2);
    for (const box of await page.getByRole('checkbox', { name: /^Compare / }).all()) await box.check();
    await page.getByTestId('compare-runs').click();
    await page.getByTestId('compare-table').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('compare-table').innerText()).toMatch(/nb201[\s\S]*darts|darts[\s\S]*nb201/);
    expect(await attr(page, 'pareto-chart', 'data-points')).toBe(2);
    await noBanner(page, 'compare');
    await page.getByTestId('compare-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'results-compare.png') });
    lap('compare');

    fixture.expectNoErrors();
  });
});
