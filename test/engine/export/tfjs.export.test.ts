import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTfjsFolder, saveTfjsFolder } from '../../../src-main/engine/export/tfjs.export.js';
import { denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';

describe('TF.js folder export', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  for (const [name, make] of [['mnist', mnistLikeClassifier], ['denoiser', denoiser], ['har', harModel]] as const) {
    it(`${name}: saved folder reloads to the same outputs`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tfjs-export-'));
      dirs.push(dir);
      const model = make();
      const files = await saveTfjsFolder(model, dir);
      expect(files).toContain('model.json');
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual([files[1]]);
      const reloaded = await loadTfjsFolder(dir);
      const x = sampleInputs(model, 8);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-6);
      x.dispose();
      model.dispose();
      reloaded.dispose();
    });
  }

  it('names the file when model.json is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-export-'));
    dirs.push(dir);
    await writeFile(join(dir, 'model.json'), '{not json');
    await expect(loadTfjsFolder(dir)).rejects.toThrow(/model\.json is not readable JSON/);
  });
});
