import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { runExportGraph } from '../../../src-main/engine/export/export-graph-run.js';
import { denoiser, harModel, mnistLikeClassifier, sampleInputs } from './export-fixtures.js';

describe('export graph', () => {
  for (const [name, make] of [['mnist', mnistLikeClassifier], ['denoiser', denoiser], ['har', harModel]] as const) {
    it(`${name}: folded graph computes what the tfjs model computes`, () => {
      const model = make();
      const graph = buildExportGraph(model);
      const x = sampleInputs(model, 4);
      tf.dispose([model.predict(x) as tf.Tensor, runExportGraph(graph, x)]); // warm-up: first calls cache constants
      const before = tf.memory().numTensors;
      const want = model.predict(x) as tf.Tensor;
      const got = runExportGraph(graph, x);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(want, got))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-4);
      tf.dispose([want, got]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }

  it('folds batch norm into the conv before it (or into each conv of a concatenation) and fuses ReLU, keeps it after add', () => {
    const graph = buildExportGraph(mnistLikeClassifier());
    const kinds = graph.ops.map((o) => o.kind);
    expect(graph.ops.filter((o) => o.kind === 'scaleShift').map((o) => o.name)).toEqual(['hidden_bn']);
    // cat = concat(dil_as_sub, strided) -> cat_bn -> cat_relu: both folded into the two convs.
    expect(graph.ops.find((o) => o.kind === 'concat')!.name).toBe('cat+cat_bn+cat_relu');
    for (const name of ['dil_as_sub', 'strided']) expect(graph.ops.find((o) => o.name === name)).toMatchObject({ kind: 'conv2d', activation: 'relu' });
    expect(kinds).not.toContain('relu');
    const stem = graph.ops.find((o) => o.name.startsWith('stem_conv'))!;
    expect(stem.name).toBe('stem_conv+stem_bn+stem_relu');
    const den = buildExportGraph(denoiser());
    expect(den.ops.filter((o) => o.kind === 'scaleShift').map((o) => o.name)).toEqual(['bn_after_add']);
  });

  it('merges identical ReLUs of one tensor (DARTS edges each start with one) and keeps the function', () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const node = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'node' }).apply(input) as tf.SymbolicTensor;
    const edge = (k: number): tf.SymbolicTensor => {
      const r = tf.layers.activation({ activation: 'relu', name: `edge${k}_relu` }).apply(node);
      return tf.layers.conv2d({ filters: 4, kernelSize: k, padding: 'same', name: `edge${k}_conv` }).apply(r) as tf.SymbolicTensor;
    };
    const out = tf.layers.add().apply([edge(1), edge(3), node]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const graph = buildExportGraph(model);
    expect(graph.ops.filter((o) => o.kind === 'relu').map((o) => o.name)).toEqual(['edge1_relu']);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 4);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, runExportGraph(graph, x)))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });

  it('names the layer when it meets one outside the vocabulary', () => {
    const input = tf.input({ shape: [4] });
    const out = tf.layers.dense({ units: 2, activation: 'tanh', name: 'odd' }).apply(input) as tf.SymbolicTensor;
    expect(() => buildExportGraph(tf.model({ inputs: input, outputs: out }))).toThrow(/"odd".*tanh/);
  });
});

describe('export graph of a tf.sequential model', () => {
  it('reads layers the same way as a functional model', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const graph = buildExportGraph(model);
    expect(graph.ops.map((o) => o.kind)).toEqual(['conv2d', 'reshape', 'dense', 'softmax']);
    const x = tf.randomUniform([2, 8, 8, 1]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, runExportGraph(graph, x)))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });
});

describe('dilated depthwise convolutions', () => {
  it('a SeparableConv2D becomes a dilated depthwise op and a 1×1 conv that carries its batch norm', () => {
    const graph = buildExportGraph(mnistLikeClassifier());
    const dw = graph.ops.find((o) => o.name === 'sep_dil/depthwise');
    expect(dw).toMatchObject({ kind: 'depthwise', dilation: [2, 2], strides: [1, 1] });
    const pw = graph.ops.find((o) => o.name.startsWith('sep_dil+'));
    expect(pw).toMatchObject({ kind: 'conv2d', name: 'sep_dil+pw_bn', kernelShape: [1, 1, 32, 32] });
  });

  it('refuses a DepthwiseConv2D with dilation, which stock tfjs runs undilated, naming the layer', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const out = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', dilationRate: 2, name: 'old_dil' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(() => buildExportGraph(model)).toThrow(/"old_dil" is a DepthwiseConv2D with dilationRate 2x2.*retrain/);
    model.dispose();
  });
});
