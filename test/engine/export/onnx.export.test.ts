import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../../src-main/engine/export/onnx.export.js';
import { denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';

describe('ONNX export', () => {
  for (const [name, make] of [['mnist', mnistLikeClassifier], ['denoiser', denoiser], ['har', harModel]] as const) {
    it(`${name}: onnxruntime-node matches tfjs within 1e-4`, async () => {
      const model = make();
      const bytes = exportOnnx(model);
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).toEqual(['input']);
      const x = sampleInputs(model, 16);
      const want = model.predict(x) as tf.Tensor;
      const result = await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
      const got = result.output;
      expect(got.dims).toEqual(want.shape);
      const w = want.dataSync();
      const g = got.data as Float32Array;
      let maxAbs = 0;
      for (let i = 0; i < w.length; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i] - g[i]));
      expect(maxAbs).toBeLessThan(1e-4);
      // a tiny perturbation of the weights must be visible: the comparison is not vacuous
      expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(1e-2);
      tf.dispose([x, want]);
      await session.release();
      model.dispose();
    });
  }
});
