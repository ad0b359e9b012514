import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportCArray } from '../../../src-main/engine/export/c-array.export.js';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { int8Agreement } from '../../../src-main/engine/export/export-run.js';
import { findPythonRuntimes, runTfliteInPython } from '../../../src-main/engine/export/python-tflite.js';
import { dequantizeArray, quantizeArray } from '../../../src-main/engine/export/quantize.js';
import { exportTflite } from '../../../src-main/engine/export/tflite.export.js';
import { dartsV2Small, denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';

// The project's .venv (npm test's pretest makes it) holds TFLite Micro and LiteRT.
const python = findPythonRuntimes();
const ready = !('missing' in python) && python.tflm && python.litert;

/**
 * Every int8 model the export tests write, run where it is meant to run: TFLite Micro (the reference kernels
 * of a microcontroller) in the arena it measures, and LiteRT; both must agree with the float model.
 */
describe.skipIf(!ready)('int8 exports in TFLite Micro and LiteRT', () => {
  for (const [name, make] of [['mnist', mnistLikeClassifier], ['denoiser', denoiser], ['har', harModel], ['darts_v2', dartsV2Small]] as const) {
    it(`${name}: runs in the arena TFLite Micro measured (and not in 1 KiB less), agreeing with the float model`, async () => {
      const model = make();
      const graph = buildExportGraph(model);
      const calibration = sampleInputs(model, 100, 101);
      const int8 = await exportTflite(model, { graph, quantize: 'int8', calibration });
      const x = sampleInputs(model, 40, 202);
      const want = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      const outShape = (model.outputs[0].shape as number[]).slice(1);
      const samples = quantizeArray(x.dataSync(), int8.io!.input);
      const shape = x.shape.slice(1);
      tf.dispose([calibration, x]);
      model.dispose();

      const micro = await runTfliteInPython({ runtime: 'tflm', bytes: int8.bytes, inputShape: shape, samples });
      const lite = await runTfliteInPython({ runtime: 'litert', bytes: int8.bytes, inputShape: shape, samples });
      for (const run of [micro, lite]) {
        const agreement = int8Agreement(want, dequantizeArray(run.outputs, int8.io!.output), [40, ...outShape]);
        expect(agreement.verified, `${name} in ${run.runtime}: ${agreement.note}`).toBe(true);
      }
      // The C export's header carries exactly the arena TFLite Micro measured.
      expect(exportCArray(int8, graph, { measuredArenaBytes: micro.arenaBytes }).header).toContain(`_TENSOR_ARENA_SIZE ${micro.arenaBytes}\n`);
      await expect(runTfliteInPython({ runtime: 'tflm', bytes: int8.bytes, inputShape: shape, samples: samples.subarray(0, samples.length / 40), arenaBytes: micro.arenaBytes! - 1024 })).rejects.toThrow(/could not run the model in an arena/);
    }, 120_000);
  }
});
