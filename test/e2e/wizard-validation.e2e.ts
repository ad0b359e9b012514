import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

/** Fast checks of the wizard: bad numbers are named in place, and data that does not exist gives a readable error. */
describe('new-search wizard validation', () => {
  let fixture: ServeFixture;
  beforeAll(async () => {
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
});
