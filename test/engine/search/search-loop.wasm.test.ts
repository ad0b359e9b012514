import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { searchLoop } from '../../../src-main/engine/search/search-loop.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { rowsSumToOne, tinySearch } from './search-fixtures.js';

// Its own file: the backend is process-wide, and this one runs on wasm with the engine's gradient kernels.
beforeAll(async () => {
  const report = await selectBackend({ prefer: 'wasm' });
  expect(report.name).toBe('wasm');
});

describe('searchLoop on wasm', () => {
  for (const name of ['darts', 'gdas'] as const) {
    it(`${name}: a tiny search trains and returns valid alphas`, async () => {
      expect(tf.getBackend()).toBe('wasm');
      const options = tinySearch(name, { epochs: 2, guard: 'none' });
      const before = await options.supernet.alphaLogits('normal');
      const result = await searchLoop(options);
      expect(rowsSumToOne([...result.alphas.normal, ...(result.alphas.reduce ?? [])])).toBe(true);
      expect(await options.supernet.alphaLogits('normal')).not.toEqual(before);
      expect(parseGenotype(result.genotype).format).toBe('darts');
      options.supernet.dispose();
    });
  }
});
