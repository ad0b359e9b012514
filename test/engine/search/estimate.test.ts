import { describe, expect, it } from 'vitest';
import { estimateSearch } from '../../../src-main/engine/search/estimate.js';

const seconds = async (config: object) => (await estimateSearch({ config })).seconds;

describe('estimateSearch', () => {
  it('grows with the work and shrinks with cores, as measured costs say it should', async () => {
    const quick = await seconds({ preset: 'quick', workers: 2 });
    expect(quick).toBeGreaterThan(60);
    expect(await seconds({ preset: 'quick', workers: 1 })).toBeGreaterThan(quick);
    expect(await seconds({ preset: 'quick', workers: 2, retrainEpochs: 4 })).toBeGreaterThan(quick);
    expect(await seconds({ preset: 'quick', workers: 2, strategy: 'darts' })).toBeGreaterThan(await seconds({ preset: 'quick', workers: 2, strategy: 'gdas' }));
    expect(await seconds({ preset: 'quick', workers: 2, candidates: 400 })).toBeGreaterThan(quick);
    expect(await seconds({ preset: 'standard', workers: 2 })).toBeGreaterThan(quick * 3);
  });

  it("FBNet's search runs on one thread: more workers shorten its retraining only", async () => {
    const fbnet = (workers: number, retrainEpochs = 2) => seconds({ preset: 'quick', strategy: 'fbnet', workers, retrainEpochs, epochs: 4 });
    const darts = (workers: number) => seconds({ preset: 'quick', strategy: 'darts', workers, epochs: 4 });
    // Same per-sample search cost as DARTS, but two workers save DARTS far more.
    expect((await darts(1)) - (await darts(2))).toBeGreaterThan(1.5 * ((await fbnet(1)) - (await fbnet(2))));
    expect(await fbnet(2)).toBeGreaterThan(await darts(2));
  });

  it('counts only the retraining subset when one is set', async () => {
    const all = await seconds({ preset: 'quick', workers: 2, retrainSamples: 0 });
    expect(await seconds({ preset: 'quick', workers: 2, retrainSamples: 6_000 })).toBeLessThan(all / 2);
  });

  it('says when it had to assume the size of the user data', async () => {
    const { note } = await estimateSearch({ config: { data: { kind: 'path', path: '/data/scans' } } });
    expect(note).toMatch(/assumes about 10,000 samples/);
  });

  it('refuses a config the engine would refuse', async () => {
    await expect(estimateSearch({ config: { epochs: 0 } })).rejects.toThrow(/epochs/);
  });
});
