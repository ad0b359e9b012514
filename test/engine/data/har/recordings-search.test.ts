import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarPreprocessing, RunResult } from '../../../../src-main/contract/result.js';
import { resolveConfig } from '../../../../src-main/engine/search/presets.js';
import { runSearch } from '../../../../src-main/engine/search/run-search.js';
import { loadTaskData } from '../../../../src-main/engine/search/task-data.js';
import { computeChannelStats } from '../../../../src-main/engine/tasks/har.task.js';
import { writeRecordingFolders } from '../../../fixtures/har/recording-folders.generator.js';

let root: string;
let data: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-recordings-search-'));
  // 3 activities × 6 headerless x,y,z recordings of 30 s at 26 Hz
  data = writeRecordingFolders(path.join(root, 'data'), { recordingsPerClass: 6, seconds: 30 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a search on a folder per class of recordings', () => {
  it('normalises with statistics of the training split only, which differ from those of all the data', async () => {
    const loaded = await loadTaskData(resolveConfig({ task: 'har', data: { kind: 'path', path: data }, seed: 5 }));
    expect(loaded.har!.normalization).toEqual(computeChannelStats(loaded.train));
    const all = { ...loaded.train, x: Float32Array.from([...loaded.train.x, ...loaded.validation.x, ...loaded.test.x]) };
    expect(computeChannelStats(all).mean[0]).not.toBeCloseTo(loaded.har!.normalization.mean[0], 3);
    const ids = (d: typeof loaded.train) => new Set(d.subjects);
    for (const id of ids(loaded.test)) expect(ids(loaded.train).has(id) || ids(loaded.validation).has(id)).toBe(false);
  });

  it('imports, splits by recording, searches and beats chance; result.json and the model keep rate, window and normalisation', async () => {
    const input = {
      task: 'har' as const,
      data: { kind: 'path' as const, path: data },
      candidates: 6,
      raceSize: 3,
      raceSamples: 64,
      channels: 8,
      cells: 3,
      retrainEpochs: 6,
      batchSize: 32,
      workers: 1,
      seed: 2,
    };
    const run = await runSearch(input, { outDir: root, store: 'none' });
    const result = JSON.parse(readFileSync(path.join(run.runDir, 'result.json'), 'utf8')) as RunResult;
    console.log(`recordings search: test accuracy ${result.metrics.test.accuracy}, macro-F1 ${result.metrics.test.macro_f1}`);
    // 3 classes: chance is 1/3
    expect(result.metrics.test.accuracy).toBeGreaterThan(0.6);
    expect(result.metrics.test.macro_f1).toBeGreaterThan(0.5);
    expect(result.har).toMatchObject({ sampleRateHz: 26, windowSeconds: 2.56, strideSeconds: 1.28, windowSamples: 67, channels: ['col1', 'col2', 'col3'], splitBy: 'recording' });
    // 6 recordings per class: 1 to the test (20 %), 1 to validation, 4 to training
    expect(result.har!.recordings).toEqual({ train: 12, validation: 3, test: 3 });
    // Normalisation from the training split, in the recordings' units (mg): z carries most of gravity.
    const { mean, std } = result.har!.normalization;
    expect(mean[2]).toBeGreaterThan(500);
    expect(mean[2] - mean[0]).toBeGreaterThan(300);
    expect(std.every((s) => s > 1)).toBe(true);
    const saved = JSON.parse(readFileSync(path.join(run.runDir, 'model', 'preprocessing.json'), 'utf8')) as HarPreprocessing;
    expect(saved).toEqual(result.har);
    expect(existsSync(path.join(run.runDir, 'model', 'model.json'))).toBe(true);
  }, 300_000);
});
