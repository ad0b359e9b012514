import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { layerCosts, modelReport, peakActivationBytes } from '../../../src-main/engine/export/model-report.js';

function tinyChain(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor; // 8*8*4*9*2 MACs
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'b' }).apply(a) as tf.SymbolicTensor; // 8*8*4*4
  const s = tf.layers.add({ name: 's' }).apply([a, b]) as tf.SymbolicTensor; // keeps a alive until here
  const g = tf.layers.globalAveragePooling2d({ name: 'g' }).apply(s) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 3, name: 'd' }).apply(g) as tf.SymbolicTensor; // 4*3
  return tf.model({ inputs: input, outputs: d });
}

describe('model report', () => {
  it('counts MACs and parameters per layer', () => {
    const model = tinyChain();
    const graph = buildExportGraph(model);
    const costs = layerCosts(graph);
    expect(costs.map((c) => [c.name, c.macs, c.params])).toEqual([
      ['a', 8 * 8 * 4 * 9 * 2, 9 * 2 * 4 + 4],
      ['b', 8 * 8 * 4 * 4, 4 * 4 + 4],
      ['s', 0, 0],
      ['g', 0, 0],
      ['d', 12, 15],
    ]);
    const report = modelReport(model, graph, { bytesPerFormat: { onnx: 123 } });
    expect(report.params).toBe(model.countParams());
    expect(report.macs).toBe(8 * 8 * 4 * 9 * 2 + 8 * 8 * 4 * 4 + 12);
    expect(report.bytesPerFormat.onnx).toBe(123);
  });

  it('keeps a tensor alive until its last consumer when finding the peak', () => {
    const graph = buildExportGraph(tinyChain());
    // while b runs: input (128) is freed after a; a (256) and b (256) are live; at s: a + b + s = 768 elements
    expect(peakActivationBytes(graph, 1)).toBe(768);
    expect(peakActivationBytes(graph, 4)).toBe(768 * 4);
  });
});
