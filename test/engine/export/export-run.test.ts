import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../src-main/engine/export/export-run.js';
import { CHROMIUM_PATH, findTfliteRuntime } from '../../../src-main/engine/export/tflite-browser.verify.js';
import { harModel, sampleInputs } from './export-fixtures.js';

const runtime = findTfliteRuntime();
const browserReady = existsSync(CHROMIUM_PATH) && !('missing' in runtime);

describe('exportModel', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it.skipIf(!browserReady)('writes every format, verifies each, reports sizes and the int8 metric, replaces an old export whole', async () => {
    const root = await mkdtemp(join(tmpdir(), 'export-run-'));
    dirs.push(root);
    const outDir = join(root, 'export');
    await mkdir(outDir);
    await writeFile(join(outDir, 'stale.txt'), 'from an earlier export');
    const model = harModel();
    const calibration = sampleInputs(model, 100, 5);
    const testInputs = sampleInputs(model, 12, 6);
    const metricX = sampleInputs(model, 24, 8);
    // labels = the float model's own argmax, so accuracy before is 1 and after measures int8 drift
    const metricY = tf.tidy(() => (model.predict(metricX) as tf.Tensor).argMax(-1));
    const accuracy = (p: tf.Tensor, y: tf.Tensor): number => tf.tidy(() => tf.mean(tf.cast(tf.equal(p.argMax(-1), y), 'float32')).dataSync()[0]);
    const before = tf.memory().numTensors;
    const report = await exportModel(model, {
      formats: ['tfjs', 'onnx', 'tflite', 'tflite-int8', 'c'],
      outDir,
      calibration,
      testInputs,
      metric: { name: 'accuracy', x: metricX, y: metricY, compute: accuracy },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.exports.map((e) => e.format)).toEqual(['tfjs', 'onnx', 'tflite', 'tflite-int8', 'c']);
    for (const e of report.exports) expect(e.verified, `${e.format}: ${e.note ?? ''}`).toBe(true);
    for (const e of report.exports.filter((x) => ['tfjs', 'onnx', 'tflite'].includes(x.format))) expect(e.maxAbsDiff!).toBeLessThan(1e-4);
    expect(report.params).toBe(model.countParams());
    expect(report.macs).toBeGreaterThan(0);
    expect(report.peakActivationBytesInt8! * 4).toBe(report.peakActivationBytes);
    expect(report.metricBefore).toBe(1);
    expect(report.metricAfterInt8).toBeGreaterThanOrEqual(0.9);
    const files = await readdir(outDir);
    expect(files.sort()).toEqual(['c', 'model.onnx', 'model.tflite', 'model_int8.tflite', 'report.json', 'tfjs']);
    const onDisk = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8'));
    expect(onDisk.exports[1].bytes).toBe((await readFile(join(outDir, 'model.onnx'))).length);
    expect(await readdir(root)).toEqual(['export']); // no temp folders left behind
    tf.dispose([calibration, testInputs, metricX, metricY]);
    model.dispose();
  });

  it('fails with a clear message and leaves the old export alone when int8 has no calibration', async () => {
    const root = await mkdtemp(join(tmpdir(), 'export-run-'));
    dirs.push(root);
    const outDir = join(root, 'export');
    await mkdir(outDir);
    await writeFile(join(outDir, 'keep.txt'), 'x');
    const model = harModel();
    const testInputs = sampleInputs(model, 2);
    await expect(exportModel(model, { formats: ['tflite-int8'], outDir, testInputs })).rejects.toThrow(/calibration/);
    expect(await readdir(outDir)).toEqual(['keep.txt']);
    testInputs.dispose();
    model.dispose();
  });
});
