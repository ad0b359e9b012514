import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { BuiltinOp, TensorType } from '../../../src-main/engine/export/tflite-flatbuffer.js';
import { exportTflite } from '../../../src-main/engine/export/tflite.export.js';
import { dartsV2Small, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';
import { readTflite, type ReadModel } from './tflite-reader.js';
import { tfliteSizeBreakdown } from './tflite-size-breakdown.js';

/** What the TFLite files hold, read back without the writer: lean, and valid where InterpreterBuilder checks. */

const WEIGHTED = new Set<number>([BuiltinOp.CONV_2D, BuiltinOp.DEPTHWISE_CONV_2D, BuiltinOp.FULLY_CONNECTED]);

function checkLean(m: ReadModel): void {
  expect(m.version).toBe(3);
  // Only the model's input and output carry names.
  const named = m.tensors.flatMap((t, i) => (t.name !== null ? [i] : []));
  expect(named.sort()).toEqual([...m.inputs, ...m.outputs].sort());
  // Buffer 0 is the empty sentinel; tensors an operator writes (and the input) have no data.
  expect(m.buffers[0].length).toBe(0);
  const produced = new Set([...m.inputs, ...m.operators.flatMap((o) => o.outputs)]);
  for (const i of produced) expect(m.tensors[i].buffer, `tensor ${i}`).toBe(0);
  // Constant data is stored once: no two buffers hold the same bytes.
  const keys = m.buffers.slice(1).map((b) => Buffer.from(b).toString('base64'));
  expect(new Set(keys).size).toBe(keys.length);
  // A tensor is read by at most one RELU (identical ReLUs of one tensor are merged).
  const reluInputs = m.operators.filter((o) => o.builtinCode === BuiltinOp.RELU).map((o) => o.inputs[0]);
  expect(new Set(reluInputs).size).toBe(reluInputs.length);
}

function checkInt8(m: ReadModel): void {
  for (const [i, t] of m.tensors.entries()) {
    if (t.type === TensorType.INT8) expect(t.scale, `int8 tensor ${i} has quantisation`).not.toBeNull();
    // InterpreterBuilder requires as many zero points as scales.
    if (t.scale) expect(t.zeroPoint!.length, `tensor ${i}`).toBe(t.scale.length);
  }
  for (const op of m.operators.filter((o) => WEIGHTED.has(o.builtinCode))) {
    const [x, w, b] = op.inputs.map((i) => m.tensors[i]);
    expect(w.type).toBe(TensorType.INT8);
    expect(w.zeroPoint!.every((z) => z === 0n)).toBe(true);
    if (w.scale!.length > 1) expect(w.scale!.length).toBe(w.shape[w.quantizedDimension]);
    expect(b.type).toBe(TensorType.INT32);
    b.scale!.forEach((s, c) => {
      const want = x.scale![0] * w.scale![w.scale!.length === 1 ? 0 : c];
      expect(Math.abs(s - want)).toBeLessThanOrEqual(1e-6 * want);
    });
  }
}

describe('TFLite files, read back', () => {
  for (const [name, make] of [['darts_v2', dartsV2Small], ['mnist', mnistLikeClassifier], ['har', harModel]] as const) {
    it(`${name}: float and int8 are lean; int8 quantisation tables are complete`, async () => {
      const model = make();
      const graph = buildExportGraph(model);
      const calibration = sampleInputs(model, 32, 3);
      const float = readTflite((await exportTflite(model, { graph })).bytes);
      const int8 = readTflite((await exportTflite(model, { graph, quantize: 'int8', calibration })).bytes);
      tf.dispose(calibration);
      checkLean(float);
      checkLean(int8);
      checkInt8(int8);
      expect(int8.operators.map((o) => o.builtinCode)).toEqual(float.operators.map((o) => o.builtinCode));
      model.dispose();
    });
  }

  it('size breakdown (docs/export.md): categories add up to the file, weights are the graph\'s, int8 weight data is about a quarter of float', async () => {
    const model = mnistLikeClassifier();
    const graph = buildExportGraph(model);
    const calibration = sampleInputs(model, 32, 3);
    const float = tfliteSizeBreakdown((await exportTflite(model, { graph })).bytes);
    const int8 = tfliteSizeBreakdown((await exportTflite(model, { graph, quantize: 'int8', calibration })).bytes);
    tf.dispose(calibration);
    // An unfolded batch norm is written as a 1x1 depthwise conv (c weights) on 4-D tensors, a diagonal c x c
    // fully-connected layer on 2-D ones.
    const scaleShiftWeights = (c: number, inputId: number): number => (graph.tensors.get(inputId)!.shape.length === 3 ? c : c * c);
    const weights = graph.ops.reduce((n, o) => n + ('kernel' in o ? o.kernel.length : o.kind === 'scaleShift' ? scaleShiftWeights(o.scale.length, o.inputs[0]) : 0), 0);
    for (const b of [float, int8]) {
      expect([...b.bytes.values()].reduce((x, y) => x + y, 0)).toBe(b.total);
      expect(b.weightValues).toBe(weights);
    }
    expect(float.bytes.get('data: weights')! / int8.bytes.get('data: weights')!).toBeGreaterThan(3.9);
    model.dispose();
  });

  it('darts_v2: depthwise convs carry a bias even when it is zero (LiteRT 2.3 crashes without); int8 needs no QUANTIZE before concatenation', async () => {
    const model = dartsV2Small();
    const calibration = sampleInputs(model, 32, 3);
    const int8 = readTflite((await exportTflite(model, { quantize: 'int8', calibration })).bytes);
    tf.dispose(calibration);
    const dws = int8.operators.filter((o) => o.builtinCode === BuiltinOp.DEPTHWISE_CONV_2D);
    expect(dws.length).toBeGreaterThan(0);
    expect(dws.every((o) => o.inputs.length === 3)).toBe(true);
    expect(int8.operators.some((o) => o.builtinCode === BuiltinOp.CONCATENATION)).toBe(true);
    expect(int8.operators.some((o) => o.builtinCode === BuiltinOp.QUANTIZE)).toBe(false);
    for (const cat of int8.operators.filter((o) => o.builtinCode === BuiltinOp.CONCATENATION)) {
      const out = int8.tensors[cat.outputs[0]];
      for (const i of cat.inputs) {
        expect(int8.tensors[i].scale).toEqual(out.scale);
        expect(int8.tensors[i].zeroPoint).toEqual(out.zeroPoint);
      }
    }
    model.dispose();
  });
});
