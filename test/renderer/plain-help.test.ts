import { describe, expect, it } from 'vitest';
import { GENOTYPE_HELP, metricHelp } from '../../src-renderer/lib/format.js';
import { metricRows } from '../../src-renderer/lib/results.js';
import { SPACES, STRATEGIES } from '../../src-renderer/lib/search-form.js';

describe('plain-language help', () => {
  it('every search space and strategy has a short label that fits its select and a line of what it means', () => {
    for (const option of [...SPACES, ...STRATEGIES]) {
      expect(option.label.length, option.label).toBeLessThanOrEqual(30);
      expect(option.hint.length, option.value).toBeGreaterThan(30);
    }
  });

  it('every metric the results show has a line of help, Macro F1 and Loss included', () => {
    const all = { accuracy: 0.9, macro_f1: 0.8, psnr: 28, ssim: 0.9, psnr_noisy: 20, psnr_baseline: 27, ssim_baseline: 0.8, loss: 0.3 };
    for (const row of metricRows(all)) expect(metricHelp(row.name), row.name).toMatch(/\w+.*\./);
    expect(metricHelp('macro_f1')).toMatch(/every class equally/);
    expect(GENOTYPE_HELP).toMatch(/operation/);
  });
});
