import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDerivedModel, type DerivedModelOptions } from '../../../src-main/engine/derive/build-derived-model.js';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { runExportGraph } from '../../../src-main/engine/export/export-graph-run.js';
import { exportOnnx } from '../../../src-main/engine/export/onnx.export.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';
import { sampleInputs } from './export-fixtures.js';

// The real derived models (engine/derive), with the backend patch that makes depthwise dilation work:
// the exporters must follow it (dilated depthwise convs are exported dilated).
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/genotypes/${name}`, import.meta.url)), 'utf8');
const base: DerivedModelOptions = { channels: 4, cells: 3, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 3 };
const HAR_GENOTYPE =
  "Genotype(normal=[('sep_conv_5', 0), ('dil_conv_3', 1), ('conv_7', 0), ('skip_connect', 2)], normal_concat=[2, 3], " +
  "reduce=[('max_pool_3', 0), ('dil_conv_3', 1), ('skip_connect', 0), ('avg_pool_3', 2)], reduce_concat=[2, 3])";

async function compare(model: tf.LayersModel): Promise<{ graphDiff: number; onnxDiff: number; dilated: number }> {
  const graph = buildExportGraph(model);
  const x = sampleInputs(model, 4);
  const want = model.predict(x) as tf.Tensor;
  const viaGraph = runExportGraph(graph, x);
  const session = await ort.InferenceSession.create(exportOnnx(model, graph));
  const got = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) })).output.data as Float32Array;
  const w = want.dataSync();
  const g2 = viaGraph.dataSync();
  let onnxDiff = 0;
  let graphDiff = 0;
  for (let i = 0; i < w.length; i++) {
    onnxDiff = Math.max(onnxDiff, Math.abs(w[i] - got[i]));
    graphDiff = Math.max(graphDiff, Math.abs(w[i] - g2[i]));
  }
  tf.dispose([x, want, viaGraph]);
  await session.release();
  model.dispose();
  return { graphDiff, onnxDiff, dilated: graph.ops.filter((o) => o.kind === 'depthwise' && o.dilation.some((d) => d === 2)).length };
}

describe('exporting derived models', () => {
  it('DARTS_V2 on MNIST (dil_conv in both cells) exports to ONNX matching tfjs within 1e-4', async () => {
    const r = await compare(buildDerivedModel(parseGenotype(fixture('darts-v2.txt')), classificationTask([28, 28, 1], 10), base));
    expect(r.dilated).toBeGreaterThan(0);
    expect(r.graphDiff).toBeLessThan(1e-4);
    expect(r.onnxDiff).toBeLessThan(1e-4);
  });

  it('a HAR cell genotype on [1,128,9] (1×k kernels) exports to ONNX matching tfjs within 1e-4', async () => {
    const r = await compare(buildDerivedModel(parseGenotype(HAR_GENOTYPE), harTask(128, 9, 6), base));
    expect(r.graphDiff).toBeLessThan(1e-4);
    expect(r.onnxDiff).toBeLessThan(1e-4);
  });

  it('a denoiser (output = input + residual) exports to ONNX matching tfjs within 1e-4', async () => {
    const r = await compare(buildDerivedModel(parseGenotype(fixture('darts-v1.txt')), denoisingTask([28, 28, 1], { kind: 'gaussian', sigma: 25 }), { ...base, cells: 2 }));
    expect(r.graphDiff).toBeLessThan(1e-4);
    expect(r.onnxDiff).toBeLessThan(1e-4);
  });
});
