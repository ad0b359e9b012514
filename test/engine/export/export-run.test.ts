import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../src-main/engine/export/export-run.js';
import { findPythonRuntimes, runTfliteInPython } from '../../../src-main/engine/export/python-tflite.js';
import { quantizeArray } from '../../../src-main/engine/export/quantize.js';
import { CHROMIUM_PATH, findTfliteRuntime } from '../../../src-main/engine/export/tflite-browser.verify.js';
import { harModel, sampleInputs } from './export-fixtures.js';

const runtime = findTfliteRuntime();
const python = findPythonRuntimes();
// TFLite files run in LiteRT (the project's .venv) or, without it, in Chromium.
const tfliteReady = (!('missing' in python) && python.litert && python.tflm) || (existsSync(CHROMIUM_PATH) && !('missing' in runtime));

describe('exportModel', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it.skipIf(!tfliteReady)('writes every format, verifies each, reports sizes and the int8 metric, replaces an old export whole', async () => {
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
    expect(report.exports[0].runtime).toMatch(/stock @tensorflow\/tfjs .* fresh Node process/);
    // TFLite Micro ran the int8 model in the arena it measured; that is the report's and the header's figure.
    expect(report.microcontroller, report.microcontroller?.note).toMatchObject({ verified: true, samples: 12 });
    expect(report.tensorArenaSource).toBe('tflite-micro');
    expect(report.tensorArenaBytes).toBe(report.microcontroller!.arenaBytes);
    expect(report.flashBytes).toBe((await readFile(join(outDir, 'model_int8.tflite'))).length);
    expect(await readFile(join(outDir, 'c', 'model_data.h'), 'utf8')).toContain(`#define G_MODEL_DATA_TENSOR_ARENA_SIZE ${report.tensorArenaBytes}`);
    expect((await readdir(join(outDir, 'c'))).sort()).toEqual(['model_data.cc', 'model_data.h', 'model_example.cc']);
    // ... and an arena 1 KiB smaller is refused by TFLite Micro itself.
    const int8Bytes = new Uint8Array(await readFile(join(outDir, 'model_int8.tflite')));
    const q = Int8Array.from(quantizeArray(Array.from(testInputs.dataSync()).slice(0, testInputs.size / 12), report.int8Io!.input));
    const run = (arenaBytes: number) => runTfliteInPython({ runtime: 'tflm', bytes: int8Bytes, inputShape: testInputs.shape.slice(1), samples: q, arenaBytes });
    await expect(run(report.tensorArenaBytes!)).resolves.toMatchObject({ arenaBytes: report.tensorArenaBytes });
    await expect(run(report.tensorArenaBytes! - 1024)).rejects.toThrow(/could not run the model in an arena of/);
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
