import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../../../src-main/engine/search/run-search.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-run-learns-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runSearch end to end', () => {
  // Search on 512 images, retrain on 4,096 for one epoch, test on MNIST's 10,000: 0.89 here (seed 1),
  // about 15 s on a loaded 2-core machine. A pipeline that loses the labels or the weights scores ~0.1.
  it('a small MNIST run (GDAS, NB201) learns: test accuracy far above chance (1/10)', async () => {
    const input = {
      data: { kind: 'builtin' as const, name: 'mnist' as const },
      space: 'nb201' as const,
      strategy: 'gdas' as const,
      epochs: 1,
      searchSamples: 512,
      retrainSamples: 4096,
      retrainEpochs: 1,
      batchSize: 32,
      channels: 8,
      cells: 1,
      workers: 1,
      seed: 1,
    };
    const result = await runSearch(input, { outDir: root, store: 'none' });
    expect(result.metrics.test.accuracy).toBeGreaterThan(0.6);
    expect(result.collapseGuard.method).toBe('skip-count-early-stop');
  }, 300_000);
});
