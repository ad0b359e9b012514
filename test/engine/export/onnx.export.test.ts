import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

// A second, independent check: the ONNX project's own checker with strict shape inference (Debian's
// python3-onnx). Skipped with the reason when it is not installed.
const PYTHON = '/usr/bin/python3';
function onnxCheckerMissing(): string {
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
    return '';
  } catch {
    return `python3-onnx is not installed for ${PYTHON} (apt-get install -y python3-onnx)`;
  }
}
const checkerMissing = onnxCheckerMissing();
if (checkerMissing) console.warn(`onnx checker test skipped: ${checkerMissing}`);

describe.skipIf(checkerMissing !== '')('ONNX export, onnx.checker', () => {
  it('every fixture passes check_model(full_check=True) and infers the tfjs output shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-check-'));
    try {
      for (const make of [mnistLikeClassifier, denoiser, harModel]) {
        const model = make();
        const file = join(dir, `${model.name}.onnx`);
        writeFileSync(file, exportOnnx(model));
        const script = [
          'import onnx, sys',
          'm = onnx.load(sys.argv[1])',
          'onnx.checker.check_model(m, full_check=True)',
          'm = onnx.shape_inference.infer_shapes(m, strict_mode=True)',
          'print([d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim][1:])',
        ].join('\n');
        const out = execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }).trim();
        expect(JSON.parse(out), model.name).toEqual(model.outputs[0].shape.slice(1));
        model.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
