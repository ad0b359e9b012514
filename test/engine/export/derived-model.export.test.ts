import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { runExportGraph } from '../../../src-main/engine/export/export-graph-run.js';
import { exportOnnx } from '../../../src-main/engine/export/onnx.export.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { sampleInputs } from './export-fixtures.js';

// The real derived models (engine/derive), with the backend patch that makes depthwise dilation work:
// the exporters must follow it (dilated depthwise convs are exported dilated).
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/genotypes/${name}`, import.meta.url)), 'utf8');

describe('exporting a derived DARTS model', () => {
  it('DARTS_V2 (dil_conv in both cells) exports to ONNX matching tfjs within 1e-4', async () => {
    const model = buildDerivedModel(parseGenotype(fixture('darts-v2.txt')), classificationTask([28, 28, 1], 10), {
      channels: 4, cells: 3, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 3,
    });
    const graph = buildExportGraph(model);
    const dilated = graph.ops.filter((o) => o.kind === 'depthwise' && o.dilation[0] === 2);
    expect(dilated.length).toBeGreaterThan(0);
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
    expect(graphDiff).toBeLessThan(1e-4);
    expect(onnxDiff).toBeLessThan(1e-4);
    tf.dispose([x, want, viaGraph]);
    await session.release();
    model.dispose();
  });
});
