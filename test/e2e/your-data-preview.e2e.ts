import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCleanImages, writeNoisyCleanPairs } from '../fixtures/denoising/clean-images.generator.js';
import { writeRecordingFolders } from '../fixtures/har/recording-folders.generator.js';
import { RENDERER_DIR, startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Rebuilds the renderer when it is older than its sources (the test must not drive a stale UI). */
function ensureFreshRenderer(): void {
  const mtime = (file: string): number => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, e) => Math.max(latest, e.isDirectory() ? newest(path.join(dir, e.name)) : mtime(path.join(dir, e.name))), 0);
  if (mtime(path.join(RENDERER_DIR, 'index.html')) > newest(path.join(repoRoot, 'src-renderer'))) return;
  const result = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'electron-vite'), ['build', '--config', 'electron.config.ts'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status})`);
}

/** The wizard's data step on data as people bring it: recordings per activity, and a folder of photos to denoise. */
describe('wizard: previews of your own data', () => {
  let fixture: ServeFixture;
  let tmp: string;
  beforeAll(async () => {
    ensureFreshRenderer();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'nas-e2e-your-data-'));
    writeRecordingFolders(path.join(tmp, 'recordings'), { recordingsPerClass: 3, seconds: 20 });
    writeCleanImages(path.join(tmp, 'photos'), { count: 4 });
    writeNoisyCleanPairs(path.join(tmp, 'pairs'), { count: 3 });
    const unnamed = writeRecordingFolders(path.join(tmp, 'unnamed'), { recordingsPerClass: 3, seconds: 10 });
    for (const dir of readdirSync(unnamed)) for (const f of readdirSync(path.join(unnamed, dir))) renameSync(path.join(unnamed, dir, f), path.join(unnamed, dir, f.replace('_26Hz', '')));
    fixture = await startServeFixture({ hash: '#/new-search' });
  });
  afterAll(async () => {
    await fixture?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function checkData(task: string, dataPath: string, shows = 'data-report'): Promise<void> {
    const { page } = fixture;
    // A fresh wizard: the hash alone would keep the step and form of the previous test.
    await page.goto(`${fixture.url.split('#')[0]}#/new-search`);
    await page.reload();
    await page.getByTestId(`task-${task}`).check();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('data-path').fill(dataPath);
    await page.getByTestId('data-path-choice').check();
    await page.getByTestId('inspect-data').click();
    await page.getByTestId(shows).waitFor({ timeout: 60_000 });
  }

  it('a folder per activity of headerless x,y,z recordings: classes, recordings, minutes, rate, channels and a plot per activity', async () => {
    const { page } = fixture;
    await checkData('har', path.join(tmp, 'recordings'));
    await page.getByTestId('har-preview').waitFor();
    expect(await page.getByTestId('har-summary').innerText()).toMatch(/26 Hz \(9 from the file name\).*windows of 2\.56 s = 67 samples/);
    const rows = await page.getByTestId('har-classes').locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split(/\s+/).join(' '))).toEqual(['jump 3 1.0', 'sit 3 1.0', 'walk 3 1.0']);
    expect(await page.getByTestId('har-columns').innerText()).toContain('col1, col2, col3');
    const traces = page.getByTestId('har-trace');
    expect(await traces.count()).toBe(3);
    // 5 s at 26 Hz on 3 channels
    expect(await traces.first().getAttribute('data-points')).toBe(String(130 * 3));

    // Fewer channels, a shorter window: checked again, the preview follows.
    await page.getByTestId('har-columns').getByLabel('col2').uncheck();
    await page.getByTestId('har-window-seconds').fill('2');
    await page.getByTestId('har-recheck').click();
    await page.getByText(/windows of 2 s = 52 samples/).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('har-trace').first().getAttribute('data-points')).toBe(String(130 * 2));
    fixture.expectNoErrors();
  });

  it('recordings whose names give no rate: the error says so, and the sample rate field fixes it', async () => {
    const { page } = fixture;
    await checkData('har', path.join(tmp, 'unnamed'), 'error-banner');
    expect(await page.getByRole('alert').first().innerText()).toMatch(/no time column and no sample rate: give one \(the wizard's sample rate field/);
    await page.getByTestId('har-sample-rate').fill('26');
    await page.getByTestId('inspect-data').click();
    await page.getByTestId('har-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('har-summary').innerText()).toContain('26 Hz (9 from the rate you gave)');
  });

  it('a plain folder of photos for denoising: its own hint, and clean/noisy pairs before training', async () => {
    const { page } = fixture;
    await checkData('denoising', path.join(tmp, 'photos'));
    expect(await page.getByText(/A folder of clean images \(PNG\/JPEG, any size, gray or colour\)/).count()).toBe(1);
    expect(await page.getByText(/sub-folder per class/).count()).toBe(0);
    const captions = await page.getByTestId('data-previews').locator('figcaption').allInnerTexts();
    expect(captions.slice(0, 2)).toEqual(['clean · photo_01.png', 'noisy (σ 25) · photo_01.png']);
    expect(captions).toHaveLength(8);
    expect(await page.getByTestId('data-report').innerText()).toContain('The data looks usable');
    fixture.expectNoErrors();
  });

  it('noisy/ and clean/ folders for denoising: the real noisy image beside its clean one', async () => {
    const { page } = fixture;
    await checkData('denoising', path.join(tmp, 'pairs'));
    const captions = await page.getByTestId('data-previews').locator('figcaption').allInnerTexts();
    expect(captions).toEqual(['noisy · shot_01.png', 'clean · shot_01.png', 'noisy · shot_02.png', 'clean · shot_02.png', 'noisy · shot_03.png', 'clean · shot_03.png']);
    expect(await page.getByTestId('data-report').innerText()).toContain('patches of 3 noisy/clean pairs');
    fixture.expectNoErrors();
  });
});
