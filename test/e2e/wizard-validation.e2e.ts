import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_DIR, startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Rebuilds the renderer when it is missing or older than its sources (the test must not drive a stale UI). */
function ensureFreshRenderer(): void {
  const mtime = (file: string): number => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  };
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, e) => Math.max(latest, e.isDirectory() ? newest(path.join(dir, e.name)) : mtime(path.join(dir, e.name))), 0);
  if (mtime(path.join(RENDERER_DIR, 'index.html')) > newest(path.join(repoRoot, 'src-renderer'))) return;
  const result = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'electron-vite'), ['build', '--config', 'electron.config.ts'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status})`);
}

/** Fast checks of the wizard: bad numbers are named in place, and data that does not exist gives a readable error. */
describe('new-search wizard validation', () => {
  let fixture: ServeFixture;
  beforeAll(async () => {
    ensureFreshRenderer();
    fixture = await startServeFixture({ hash: '#/new-search' });
    await fixture.page.setViewportSize({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('names bad fields, and says plainly that a data path does not exist', async () => {
    const { page } = fixture;
    const missing = '/nonexistent/nas-studio-e2e/images';
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').click();

    // An empty path cannot be checked.
    await page.getByTestId('data-path-choice').check();
    expect(await page.getByTestId('inspect-data').isDisabled()).toBe(true);
    await page.getByTestId('data-path').fill(missing);
    await page.getByTestId('inspect-data').click();
    await page.locator('[data-testid="error-banner"], [data-testid="inspect-notice"]').first().waitFor({ timeout: 60_000 });
    const inspectWired = (await page.getByTestId('error-banner').count()) > 0;
    if (inspectWired) {
      const banner = await page.getByRole('alert').first().innerText();
      expect(banner).toContain(missing);
      expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true);
      return;
    }

    // data:inspect is not wired yet: the search itself must refuse the path, readably, when it starts.
    await page.getByTestId('wizard-next').click();
    await page.locator('[data-testid="advanced"] summary').click();
    await page.getByTestId('adv-epochs').fill('0');
    await page.getByText('Search epochs must be a whole number of at least 1.').waitFor();
    expect(await page.getByTestId('start-search').isDisabled()).toBe(true);
    await page.getByTestId('adv-epochs').fill('1');
    expect(await page.getByTestId('start-search').isDisabled()).toBe(false);
    await page.getByTestId('start-search').click();
    const failure = page.locator('[data-testid="run-failed"], [data-testid="error-banner"]').first();
    await failure.waitFor({ timeout: 120_000 });
    const text = await failure.innerText();
    expect(text).toContain(missing);
    expect(text).not.toMatch(/\[object Object\]|undefined/);
    fixture.expectNoErrors();
  });

  it('moves between views with the arrow keys and toggles the theme', async () => {
    const { page } = fixture;
    await page.getByTestId('nav-hardware').click();
    await page.getByTestId('nav-hardware').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('main[data-view="new-search"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('nav-new-search');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.locator('main[data-view="export"]').waitFor();
    expect(page.url()).toMatch(/#\/export$/);

    const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByTestId('theme-toggle').click();
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(['light', 'dark']).toContain(theme);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(before);
    fixture.expectNoErrors();
  });

  it('keeps the keyboard where the user is: a new step does not send focus to the top, tabbing through the path box switches nothing', async () => {
    const { page } = fixture;
    await page.getByTestId('nav-new-search').click();
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('data-builtin').waitFor();
    // Focus lands on the new step's heading, so the next Tab reaches the step's first field.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('wizard-step-heading');
    await page.getByTestId('data-builtin').check();
    await page.getByTestId('data-path').focus();
    await page.keyboard.press('Tab');
    expect(await page.getByTestId('data-builtin').isChecked()).toBe(true);
    expect(await page.getByTestId('inspect-data').isDisabled()).toBe(false);
    // Typing a path is what chooses "My own data".
    await page.getByTestId('data-path').fill('/tmp/nas-studio-e2e-images');
    expect(await page.getByTestId('data-path-choice').isChecked()).toBe(true);
    fixture.expectNoErrors();
  });
});
