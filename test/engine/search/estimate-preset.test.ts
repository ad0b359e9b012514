import { describe, expect, it } from 'vitest';
import { estimateSearch } from '../../../src-main/engine/search/estimate.js';

describe('the estimate says what the preset picked', () => {
  it('gives the numbers of the fields left empty, and the ones the user set', async () => {
    const quick = await estimateSearch({ config: { data: { kind: 'builtin', name: 'mnist' }, preset: 'quick' } });
    expect(quick.preset).toMatchObject({ epochs: 2, retrainEpochs: 2, batchSize: 128, channels: 8, cells: 5, latencyTargetMs: null, maxParams: null });
    const standard = await estimateSearch({ config: { data: { kind: 'builtin', name: 'mnist' }, preset: 'standard', epochs: 3 } });
    expect(standard.preset).toMatchObject({ epochs: 3, retrainEpochs: 10, batchSize: 64 });
  });
});
