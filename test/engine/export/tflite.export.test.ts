import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { dequantizeArray, quantizeArray } from '../../../src-main/engine/export/quantize.js';
import { CHROMIUM_PATH, findTfliteRuntime, runTfliteInChromium, type TfliteRun } from '../../../src-main/engine/export/tflite-browser.verify.js';
import { exportTflite, type TfliteExport } from '../../../src-main/engine/export/tflite.export.js';
import { dartsV2Small, denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';

// The TFLite interpreter (tfjs-tflite) loads only in a browser: these run in Debian's Chromium.
const runtime = findTfliteRuntime();
const skipReason = !existsSync(CHROMIUM_PATH)
  ? `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`
  : 'missing' in runtime
    ? runtime.missing
    : '';
if (skipReason) console.warn(`tflite.export.test skipped: ${skipReason}`);

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

describe.skipIf(skipReason !== '')('TFLite export, run by the TFLite interpreter in Chromium', () => {
  it('float matches tfjs within 1e-4 and int8 agrees with float on argmax for >= 95 % of inputs', async () => {
    const cases = [
      { name: 'mnist', model: mnistLikeClassifier(), classifier: true },
      { name: 'denoiser', model: denoiser(), classifier: false },
      { name: 'har', model: harModel(), classifier: true },
      { name: 'darts_v2', model: dartsV2Small(), classifier: true },
    ];
    const runs: TfliteRun[] = [];
    const prepared = [];
    for (const c of cases) {
      const graph = buildExportGraph(c.model);
      const calibration = sampleInputs(c.model, 200, 101);
      const float = await exportTflite(c.model, { graph });
      const int8 = await exportTflite(c.model, { graph, quantize: 'int8', calibration });
      calibration.dispose();
      const x = sampleInputs(c.model, 40, 202);
      const predicted = c.model.predict(x) as tf.Tensor;
      const want = (predicted.arraySync() as unknown[]).map((s) => [s].flat(4) as number[]);
      predicted.dispose();
      const samples = (x.arraySync() as unknown[]).map((s) => [s].flat(4) as number[]);
      x.dispose();
      runs.push({ bytes: float.bytes, inputShape: float.inputShape, inputDtype: 'float32', samples });
      runs.push({ bytes: int8.bytes, inputShape: int8.inputShape, inputDtype: 'int32', samples: samples.map((s) => Array.from(quantizeArray(s, int8.io!.input))) });
      prepared.push({ ...c, float, int8, want });
    }
    const outputs = await runTfliteInChromium(runs);
    prepared.forEach((c, k) => {
      const floatOut = outputs[2 * k];
      const int8Out = outputs[2 * k + 1].map((o) => Array.from(dequantizeArray(o, (c.int8 as TfliteExport).io!.output)));
      let maxAbs = 0;
      floatOut.forEach((o, i) => {
        expect(o.length).toBe(c.want[i].length);
        o.forEach((v, j) => (maxAbs = Math.max(maxAbs, Math.abs(v - c.want[i][j]))));
      });
      expect(maxAbs, `${c.name} float max abs diff`).toBeLessThan(1e-4);
      let int8MaxAbs = 0;
      int8Out.forEach((o, i) => o.forEach((v, j) => (int8MaxAbs = Math.max(int8MaxAbs, Math.abs(v - floatOut[i][j])))));
      console.log(`${c.name}: float ${c.float.bytes.length} B (max abs ${maxAbs.toExponential(2)}), int8 ${c.int8.bytes.length} B (max abs vs float ${int8MaxAbs.toFixed(4)})`);
      if (c.classifier) {
        const agree = int8Out.filter((o, i) => argmax(o) === argmax(floatOut[i])).length / int8Out.length;
        expect(agree, `${c.name} int8 argmax agreement`).toBeGreaterThanOrEqual(0.95);
      } else {
        const flat = c.want.flat();
        const range = Math.max(...flat) - Math.min(...flat);
        expect(int8MaxAbs, `${c.name} int8 error vs output range`).toBeLessThan(0.1 * range);
      }
    });
    // int8 is about 4x smaller once weights dominate the file (HAR: ~107k parameters, most in one dense layer; see docs/export.md for the per-tensor overhead)
    const har = prepared[2];
    expect(har.model.countParams()).toBeGreaterThan(20_000);
    expect(har.float.bytes.length / har.int8.bytes.length).toBeGreaterThanOrEqual(3.8);
    prepared.forEach((c) => c.model.dispose());
  }, 300_000); // four models, 200-sample calibration each, one browser session: slow on a shared 2-core machine

  it('writes a flatbuffer TFLite recognises: identifier TFL3, schema version 3', async () => {
    const t = await exportTflite(denoiser());
    expect(new TextDecoder().decode(t.bytes.subarray(4, 8))).toBe('TFL3');
  });
});
