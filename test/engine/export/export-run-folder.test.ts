import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { exportRun } from '../../../src-main/engine/export/export-run-folder.js';
import { saveTfjsFolder } from '../../../src-main/engine/export/tfjs.export.js';
import { resolveConfig } from '../../../src-main/engine/search/presets.js';
import { loadTaskData } from '../../../src-main/engine/search/task-data.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';

const HAR_GENOTYPE = "Genotype(normal=[('conv_3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3', 0), ('conv_3', 1)], reduce_concat=[2])";

describe('exporting a run folder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'export-run-folder-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("puts the run's preprocessing (HAR: rate, window, normalisation) beside the exported files", async () => {
    const config = resolveConfig({ task: 'har', data: { kind: 'builtin', name: 'har-synthetic' }, space: 'har1d', channels: 4, cells: 2, seed: 1 });
    const data = await loadTaskData(config);
    const runDir = path.join(root, 'run');
    mkdirSync(path.join(runDir, 'model'), { recursive: true });
    const model = buildDerivedModel(parseGenotype(HAR_GENOTYPE), data.task, { channels: 4, cells: 2, nodes: 1, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 1 });
    await saveTfjsFolder(model, path.join(runDir, 'model'));
    model.dispose();
    const preprocessing = { sampleRateHz: 50, windowSeconds: 2.56, normalization: { mean: [0], std: [1] } };
    writeFileSync(path.join(runDir, 'model', 'preprocessing.json'), JSON.stringify(preprocessing));
    const outDir = path.join(runDir, 'exports');
    const report = await exportRun(runDir, config, ['onnx'], outDir);
    expect(report.exports[0]).toMatchObject({ format: 'onnx', verified: true });
    expect(existsSync(path.join(outDir, 'model.onnx'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(outDir, 'preprocessing.json'), 'utf8'))).toEqual(preprocessing);
  });
});
