import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDerivedModel } from '../../src-main/engine/derive/build-derived-model.js';
import { macroOptionsFor } from '../../src-main/engine/search/macro-options.js';
import { resolveConfig } from '../../src-main/engine/search/presets.js';
import { parseGenotype } from '../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../src-main/engine/tasks/classification.task.js';
import { ensureFreshRenderer, miniMnist } from './fixtures/e2e-data.js';
import { startServeFixture, type ServeFixture } from './fixtures/serve-fixture.js';

const STRATEGIES = ['rank-race', 'darts', 'gdas', 'pcdarts', 'fbnet', 'random'];

/** Every constraint field does what it says under every strategy, or is not offered there. */
describe('constraint fields in the wizard', () => {
  let fixture: ServeFixture;
  let dataDir: string;
  beforeAll(async () => {
    ensureFreshRenderer();
    dataDir = miniMnist();
    fixture = await startServeFixture({ hash: '#/new-search' });
    await fixture.page.setViewportSize({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await fixture?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('offers the size budget under every strategy, the latency target under FBNet alone, and a run stays within the budget', async () => {
    const { page } = fixture;
    await page.getByTestId('task-classification').check();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('data-path').fill(dataDir);
    await page.getByTestId('data-path-choice').check();
    await page.getByTestId('inspect-data').click();
    await page.getByTestId('data-report').waitFor({ timeout: 60_000 });
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('space').selectOption('nb201');
    await page.locator('[data-testid="advanced"] summary').click();

    for (const strategy of STRATEGIES) {
      await page.getByTestId('strategy').selectOption(strategy);
      expect(await page.getByTestId('adv-maxParams').count(), strategy).toBe(1);
      expect(await page.getByTestId('adv-latencyTargetMs').count(), strategy).toBe(strategy === 'fbnet' ? 1 : 0);
      expect(await page.getByTestId('latency-target-note').count(), strategy).toBe(strategy === 'fbnet' ? 0 : 1);
    }

    // A latency target typed under FBNet is not sent once another strategy is chosen (the engine would refuse it).
    await page.getByTestId('strategy').selectOption('fbnet');
    await page.getByTestId('adv-latencyTargetMs').fill('5');
    await page.getByTestId('strategy').selectOption('gdas');
    // The budget is the size of the smallest NB201 cell (one skip from input to output): only cells without a
    // weighted op fit, so the search must give way wherever its cell holds a convolution.
    const fields = { epochs: '1', retrainEpochs: '1', searchSamples: '400', batchSize: '64', channels: '4', cells: '1' };
    const config = resolveConfig({ space: 'nb201', strategy: 'gdas', preset: 'quick', ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Number(v)])) });
    const smallest = buildDerivedModel(parseGenotype('|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'), classificationTask([28, 28, 1], 10), macroOptionsFor(config, classificationTask([28, 28, 1], 10)));
    const budget = smallest.countParams();
    smallest.dispose();
    for (const [key, value] of Object.entries({ ...fields, maxParams: String(budget) })) {
      await page.getByTestId(`adv-${key}`).fill(value);
    }
    await page.getByTestId('start-search').click();
    await page.getByTestId('live-status').getByText(/done|failed|cancelled/).waitFor({ timeout: 300_000 });
    const failed = (await page.getByTestId('run-failed').count()) > 0 ? await page.getByTestId('run-failed').innerText() : '';
    expect(await page.getByTestId('live-status').innerText(), failed).toBe('done');

    const [run] = readdirSync(fixture.runsDir).filter((d) => !d.startsWith('.'));
    const result = JSON.parse(readFileSync(path.join(fixture.runsDir, run, 'result.json'), 'utf8')) as { params: number; config: { strategy: string; maxParams?: number; latencyTargetMs?: number } };
    expect(result.config).toMatchObject({ strategy: 'gdas', maxParams: budget });
    expect(result.config.latencyTargetMs).toBeUndefined();
    expect(result.params).toBeLessThanOrEqual(budget);
    expect((result as unknown as { genotype: string }).genotype).not.toMatch(/conv/);
    fixture.expectNoErrors();
  });
});
