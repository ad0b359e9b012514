import { describe, expect, it } from 'vitest';
import { SearchConfigSchema } from '../../src-main/contract/search-config.js';
import { buildConfig, DATA_HINTS, defaultForm, formProblems, harOptions } from '../../src-renderer/lib/search-form.js';

describe('wizard form: HAR recordings and the data hints', () => {
  const har = () => ({ ...defaultForm(), task: 'har' as const, dataKind: 'path' as const, path: '/data/recordings', space: 'har1d' as const });

  it('sends the sample rate, window and channels the user set, and nothing when unset', () => {
    expect(harOptions(har())).toEqual({});
    const form = { ...har(), sampleRateHz: '26', windowSeconds: ' 2 ', harColumns: ['col3', 'col1'] };
    const config = SearchConfigSchema.parse(buildConfig(form));
    expect(config).toMatchObject({ sampleRateHz: 26, windowSeconds: 2, columns: ['col3', 'col1'] });
    expect(harOptions({ ...form, dataKind: 'builtin' })).toBeUndefined();
    expect(buildConfig({ ...form, task: 'classification' })).not.toHaveProperty('sampleRateHz');
  });

  it('names a sample rate or window that is not a positive number', () => {
    const problems = formProblems({ ...har(), sampleRateHz: '0', windowSeconds: 'abc' });
    expect(problems.sampleRateHz).toBe('The sample rate must be a number above 0.');
    expect(problems.windowSeconds).toBe('The window length must be a number above 0.');
  });

  it('asks denoising for clean images, not class folders', () => {
    expect(DATA_HINTS.denoising).toMatch(/clean images/);
    expect(DATA_HINTS.denoising).not.toMatch(/class/);
    expect(DATA_HINTS.har).toMatch(/one sub-folder of recordings .* per activity/);
  });
});
