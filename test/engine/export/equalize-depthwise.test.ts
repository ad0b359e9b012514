import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { equalizeDepthwise } from '../../../src-main/engine/export/equalize-depthwise.js';
import { buildExportGraph, type ExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { runExportGraph } from '../../../src-main/engine/export/export-graph-run.js';
import { calibrateChannels } from '../../../src-main/engine/export/quantize.js';
import { harModel, sampleInputs } from './export-fixtures.js';

/** Two sep-conv branches of width 8 (depthwise then pointwise), added: the pattern of DARTS cells. */
function twoBranches(): tf.LayersModel {
  const input = tf.input({ shape: [10, 10, 3] });
  const stem = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tf.SymbolicTensor;
  const branch = (k: number): tf.SymbolicTensor => {
    const d = tf.layers.depthwiseConv2d({ kernelSize: k, padding: 'same', useBias: false, name: `dw${k}`, depthwiseInitializer: tf.initializers.randomNormal({ stddev: 1, seed: k }) }).apply(stem);
    return tf.layers.conv2d({ filters: 8, kernelSize: 1, name: `pw${k}` }).apply(d) as tf.SymbolicTensor;
  };
  const out = tf.layers.add().apply([branch(3), branch(5)]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function maxDiff(a: ExportGraph, b: ExportGraph, x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(runExportGraph(a, x), runExportGraph(b, x)))).dataSync()[0]);
}

describe('equalizeDepthwise', () => {
  it('gives every depthwise channel max |w| = 1 without changing the float function or the input graph', () => {
    const model = twoBranches();
    const graph = buildExportGraph(model);
    const kernelsBefore = graph.ops.map((o) => ('kernel' in o ? Float32Array.from(o.kernel) : undefined));
    const eq = equalizeDepthwise(graph);
    const x = sampleInputs(model, 4);
    expect(maxDiff(graph, eq, x)).toBeLessThan(1e-5);
    const dws = eq.ops.filter((o) => o.kind === 'depthwise');
    expect(dws).toHaveLength(2);
    for (const dw of dws) {
      const max = new Array<number>(8).fill(0);
      dw.kernel.forEach((w, i) => (max[i % 8] = Math.max(max[i % 8], Math.abs(w))));
      expect(max).toEqual(new Array(8).fill(1));
    }
    graph.ops.forEach((o, i) => {
      if ('kernel' in o) expect(o.kernel).toEqual(kernelsBefore[i]);
    });
    x.dispose();
    model.dispose();
  });

  it('leaves a depthwise layer alone when no other layer of its width could share its scales', () => {
    const model = harModel();
    const graph = buildExportGraph(model);
    const eq = equalizeDepthwise(graph);
    eq.ops.forEach((o, i) => expect(o).toBe(graph.ops[i]));
    model.dispose();
  });

  it('with calibration ranges, skips a layer whose rescaling would raise the estimated int8 noise', async () => {
    const model = twoBranches();
    const graph = buildExportGraph(model);
    const dwOutputs = new Set(graph.ops.filter((o) => o.kind === 'depthwise').map((o) => o.output));
    // Channel 0 of each depthwise output spans a range 1000x the others: dividing it by its weight
    // maximum cannot help, as the others then use even less of the shared activation range.
    const ranges = new Map([...dwOutputs].map((id) => [id, Float64Array.from({ length: 8 }, (_, c) => (c === 0 ? 1000 : 1))]));
    const dw = graph.ops.find((o) => o.kind === 'depthwise')!;
    if (dw.kind !== 'depthwise') throw new Error('unreachable');
    // Make channel 0's weights the smallest, so equalising would amplify it further.
    for (let i = 0; i < dw.kernel.length; i += 8) dw.kernel[i] *= 1e-3;
    const eq = equalizeDepthwise(graph, ranges);
    expect(eq.ops[graph.ops.indexOf(dw)]).toBe(dw);
    const x = sampleInputs(model, 8);
    const real = await calibrateChannels(graph, x, dwOutputs);
    expect([...real.keys()].sort()).toEqual([...dwOutputs].sort());
    for (const r of real.values()) expect(r).toHaveLength(8);
    x.dispose();
    model.dispose();
  });
});
