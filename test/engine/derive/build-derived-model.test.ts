import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDerivedModel, countParams, type DerivedModelOptions } from '../../../src-main/engine/derive/build-derived-model.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/genotypes/${name}`, import.meta.url)), 'utf8');

const base: DerivedModelOptions = { channels: 4, cells: 3, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: true };

/** A small DARTS cell pair that uses every kind of op, including both dil_conv paths. */
const MIXED = parseGenotype(
  "Genotype(normal=[('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('skip_connect', 0), ('avg_pool_3x3', 2)], normal_concat=[2, 3], " +
    "reduce=[('max_pool_3x3', 0), ('dil_conv_5x5', 1), ('skip_connect', 1), ('sep_conv_5x5', 2)], reduce_concat=[2, 3])",
);

function withModel<T>(model: tf.LayersModel, fn: (m: tf.LayersModel) => T): T {
  try {
    return fn(model);
  } finally {
    model.dispose();
  }
}

function predictShape(model: tf.LayersModel, inputShape: number[], batch = 2): number[] {
  return tf.tidy(() => (model.predict(tf.randomUniform([batch, ...inputShape])) as tf.Tensor).shape);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildDerivedModel', () => {
  it('DARTS_V2 on MNIST, C=8, 5 cells: logits [N, 10], reductions at cells 1 and 3', () => {
    const task = classificationTask([28, 28, 1], 10);
    const model = buildDerivedModel(parseGenotype(fixture('darts-v2.txt')), task, { ...base, channels: 8, cells: 5, stemMultiplier: 3 });
    withModel(model, (m) => {
      expect(predictShape(m, [28, 28, 1])).toEqual([2, 10]);
      const shape = (name: string) => m.getLayer(name).outputShape;
      expect(shape('stem_bn')).toEqual([null, 28, 28, 24]);
      expect(shape('cell0_concat')).toEqual([null, 28, 28, 32]);
      // reduction cell: C doubles, resolution halves; the next cell factorizes its c_{k-2}
      expect(shape('cell1_concat')).toEqual([null, 14, 14, 64]);
      expect(shape('cell2_pre0_bn')).toEqual([null, 14, 14, 16]);
      expect(shape('cell3_concat')).toEqual([null, 7, 7, 128]);
      expect(shape('cell4_concat')).toEqual([null, 7, 7, 128]);
      expect(m.getLayer('cell3_node2_edge0_max_pool_3x3_pool').getConfig().strides).toEqual([2, 2]);
      expect(m.getLayer('cell0_node2_edge0_sep_conv_3x3_dw1').getConfig().dilationRate).toEqual([1, 1]);
      expect(m.getLayer('cell0_node5_edge1_dil_conv_3x3_sep').getConfig().dilationRate).toEqual([2, 2]);
      // DARTS_V2's normal cell: only sep_conv_3x3, skip_connect and one dil_conv_3x3 edge
      const cell0Ops = new Set(m.layers.filter((l) => /^cell0_node\d_edge\d_/.test(l.name)).map((l) => l.name.replace(/^cell0_node\d_edge\d_(.*?)_[a-z]+\d?$/, '$1')));
      expect([...cell0Ops].sort()).toEqual(['dil_conv_3x3', 'sep_conv_3x3']);
    });
  });

  it('uses only the stock layer vocabulary, with unique readable names', () => {
    const allowed = new Set(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'BatchNormalization', 'Activation', 'Add', 'Concatenate', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Dense', 'ZeroPadding2D', 'Cropping2D', 'Reshape']);
    const model = buildDerivedModel(MIXED, classificationTask([8, 8, 1], 10), base);
    withModel(model, (m) => {
      for (const layer of m.layers) expect(allowed.has(layer.getClassName()), layer.getClassName()).toBe(true);
      expect(m.layers.map((l) => l.name).every((n) => /^[a-z][a-z0-9_]*$/.test(n))).toBe(true);
      expect(m.getLayer('cell1_pre0_bn')).toBeDefined();
      // a stride-2 skip_connect is a FactorizedReduce built from crop + pad + two 1×1 convs
      expect(m.getLayer('cell1_node3_edge0_skip_connect_shift_crop').getClassName()).toBe('Cropping2D');
      // cells 1 and 2 both reduce: cell 2 factorizes cell 0's 8×8 output to meet cell 1's 4×4 (C=16, halves of 8)
      expect(m.getLayer('cell2_pre0_conv2').outputShape).toEqual([null, 4, 4, 8]);
      expect(m.getLayer('cell2_concat').outputShape).toEqual([null, 2, 2, 32]);
      // stride-2 dil_conv: the even-even subsample, then an undilated depthwise conv
      expect(m.getLayer('cell1_node2_edge1_dil_conv_5x5_subsample').outputShape).toEqual([null, 4, 4, 8]);
      expect(m.getLayer('cell1_node2_edge1_dil_conv_5x5_dw').getConfig().dilationRate).toEqual([1, 1]);
    });
  });

  it('a stride-2 dilated conv equals the undilated conv of x[::2, ::2], and dilated layers really dilate', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([1, 9, 9, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 2, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dilatedFull = tf.depthwiseConv2d(x, f, 1, 'same', 'NHWC', 2);
      const even = tf.gather(tf.gather(dilatedFull, [0, 2, 4, 6, 8], 1), [0, 2, 4, 6, 8], 2);
      const sub = tf.maxPool(x, 1, 2, 'same');
      const trick = tf.depthwiseConv2d(sub, f, 1, 'same');
      expect(tf.max(tf.abs(tf.sub(even, trick))).dataSync()[0]).toBeLessThan(1e-5);
    });
    const model = buildDerivedModel(MIXED, classificationTask([8, 8, 1], 10), base);
    withModel(model, (m) => {
      // Stock tfjs's SeparableConv2D (no patch) runs the dilated depthwise conv, then the 1×1.
      const layer = m.getLayer('cell0_node2_edge1_dil_conv_3x3_sep');
      tf.tidy(() => {
        const x = tf.randomNormal([1, 8, 8, 4]);
        const [dw, pw] = layer.getWeights() as [tf.Tensor4D, tf.Tensor4D];
        const expected = tf.conv2d(tf.depthwiseConv2d(x as tf.Tensor4D, dw, 1, 'same', 'NHWC', 2), pw, 1, 'valid');
        const actual = layer.apply(x) as tf.Tensor;
        expect(tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0]).toBeLessThan(1e-5);
      });
    });
  });

  it('NB201 optimum: residual reduction blocks between the cells', () => {
    const model = buildDerivedModel(parseGenotype(fixture('nb201-cifar10-optimum.txt')), classificationTask([16, 16, 3], 10), base);
    withModel(model, (m) => {
      expect(predictShape(m, [16, 16, 3])).toEqual([2, 10]);
      expect(m.getLayer('cell1_add').outputShape).toEqual([null, 8, 8, 8]);
      expect(m.getLayer('cell3_add').outputShape).toEqual([null, 4, 4, 16]);
      expect(m.getLayer('cell4_node3_add').outputShape).toEqual([null, 4, 4, 16]);
      expect(m.getLayer('cell4_node2_edge1_nor_conv_3x3_conv').getConfig().kernelSize).toEqual([3, 3]);
    });
  });

  it('NB201: none edges drop out, and a cell whose output is cut off is refused', () => {
    const g = parseGenotype('|none~0|+|nor_conv_1x1~0|none~1|+|none~0|avg_pool_3x3~1|skip_connect~2|');
    const model = buildDerivedModel(g, classificationTask([8, 8, 1], 10), { ...base, reductions: false });
    withModel(model, (m) => {
      expect(predictShape(m, [8, 8, 1])).toEqual([2, 10]);
      // node 1 is all-none, so node 3 sums only its skip from node 2
      expect(m.layers.some((l) => l.name.includes('edge1_avg_pool_3x3'))).toBe(false);
    });
    const dead = parseGenotype('|none~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|');
    expect(() => buildDerivedModel(dead, classificationTask([8, 8, 1], 10), base)).toThrow(/connects nothing to the cell output/);
  });

  it('chain: inverted residual blocks, stride 2 at 1/3 and 2/3, skip = identity or strided projection', () => {
    const g = parseGenotype('ir_k3_e1-skip-ir_k5_e3-ir_k7_e6-skip-ir_k3_e6');
    const model = buildDerivedModel(g, classificationTask([16, 16, 1], 10), base);
    withModel(model, (m) => {
      expect(predictShape(m, [16, 16, 1])).toEqual([2, 10]);
      expect(m.layers.some((l) => l.name.startsWith('block1_'))).toBe(false);
      expect(m.getLayer('block0_ir_k3_e1_add').outputShape).toEqual([null, 16, 16, 4]);
      expect(m.getLayer('block2_ir_k5_e3_expand').outputShape).toEqual([null, 16, 16, 12]);
      expect(m.getLayer('block2_ir_k5_e3_project_bn').outputShape).toEqual([null, 8, 8, 8]);
      expect(m.getLayer('block3_ir_k7_e6_add').outputShape).toEqual([null, 8, 8, 8]);
      expect(m.getLayer('block4_skip_proj_bn').outputShape).toEqual([null, 4, 4, 16]);
      expect(m.getLayer('block5_ir_k3_e6_add').outputShape).toEqual([null, 4, 4, 16]);
    });
  });

  it('HAR [1, 128, 9]: 1×k kernels, strides along time only, height stays 1', () => {
    const g = parseGenotype(
      "Genotype(normal=[('sep_conv_5', 0), ('dil_conv_3', 1), ('conv_7', 0), ('skip_connect', 2)], normal_concat=[2, 3], " +
        "reduce=[('max_pool_3', 0), ('dil_conv_3', 1), ('skip_connect', 0), ('avg_pool_3', 2)], reduce_concat=[2, 3])",
    );
    const model = buildDerivedModel(g, harTask(128, 9, 6), base);
    withModel(model, (m) => {
      expect(predictShape(m, [1, 128, 9])).toEqual([2, 6]);
      for (const layer of m.layers) {
        const shape = layer.outputShape as (number | null)[];
        if (shape.length === 4) expect(shape[1], layer.name).toBe(1);
      }
      expect(m.getLayer('cell2_concat').outputShape).toEqual([null, 1, 32, 32]);
      expect(m.getLayer('cell0_node3_edge0_conv_7_conv').getConfig().kernelSize).toEqual([1, 7]);
      expect(m.getLayer('cell1_node2_edge0_max_pool_3_pool').getConfig().poolSize).toEqual([1, 3]);
    });
  });

  it('denoising: no reductions, output = input + predicted residual, same shape as the input', () => {
    const task = denoisingTask([28, 28, 1], { kind: 'gaussian', sigma: 25 });
    const model = buildDerivedModel(MIXED, task, { ...base, cells: 2 });
    withModel(model, (m) => {
      expect(m.outputs[0].shape).toEqual([null, 28, 28, 1]);
      expect(predictShape(m, [28, 28, 1])).toEqual([2, 28, 28, 1]);
      expect(m.layers.some((l) => l.name.includes('_pool') && (l.getConfig().strides as number[])[0] === 2)).toBe(false);
      expect(m.getLayer('output').getClassName()).toBe('Add');
    });
    expect(() => buildDerivedModel(MIXED, task, { ...base, stemStride: 2 })).toThrow(/stemStride must be 1/);
  });

  it('denoisers carry no BatchNorm and give every conv a bias; classifiers keep BN and bias-free convs', () => {
    // Depthwise convs stay bias-free: each feeds a 1×1 conv whose bias absorbs theirs.
    const convs = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'Conv2D');
    const bns = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    withModel(buildDerivedModel(MIXED, denoisingTask([8, 8, 1], { kind: 'gaussian', sigma: 25 }), { ...base, cells: 2 }), (m) => {
      expect(bns(m)).toBe(0);
      expect(convs(m).length).toBeGreaterThan(5);
      expect(convs(m).every((l) => l.getConfig().useBias === true)).toBe(true);
    });
    withModel(buildDerivedModel(MIXED, classificationTask([8, 8, 1], 10), base), (m) => {
      expect(bns(m)).toBeGreaterThan(5);
      expect(convs(m).every((l) => l.getConfig().useBias === false)).toBe(true);
    });
  });

  it('names an op it cannot build', () => {
    const g = parseGenotype(
      "Genotype(normal=[('conv_7x1_1x7', 0), ('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])",
    );
    expect(() => buildDerivedModel(g, classificationTask([8, 8, 1], 10), base)).toThrow(/unknown op "conv_7x1_1x7"/);
  });
});

describe('reproducible and serializable', () => {
  it('the same seed builds the same weights; a TF.js save/load round trip predicts the same', async () => {
    const task = classificationTask([8, 8, 1], 10);
    const a = buildDerivedModel(MIXED, task, { ...base, seed: 7 });
    const b = buildDerivedModel(MIXED, task, { ...base, seed: 7 });
    const c = buildDerivedModel(MIXED, task, { ...base, seed: 8 });
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5);
    const predict = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));
    expect(predict(b)).toEqual(predict(a));
    expect(predict(c)).not.toEqual(predict(a));

    let artifacts: tf.io.ModelArtifacts | undefined;
    await a.save(tf.io.withSaveHandler(async (art) => {
      artifacts = art;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const diff = predict(loaded).map((v, i) => Math.abs(v - predict(a)[i]));
    expect(Math.max(...diff)).toBeLessThan(1e-5);
    tf.dispose([x]);
    for (const m of [a, b, c, loaded]) m.dispose();
  });
});

describe('countParams', () => {
  it('chain ir_k3_e1 on [8, 8, 1], C=4: 162 trainable, 186 with BN statistics', () => {
    // stem conv 3·3·1·4 = 36, stem BN γβ 8; depthwise 3·3·4 = 36, BN 8; project 4·4 = 16, BN 8; dense 4·10+10 = 50
    const model = buildDerivedModel(parseGenotype('ir_k3_e1'), classificationTask([8, 8, 1], 10), { ...base, reductions: false });
    withModel(model, (m) => {
      expect(countParams(m)).toBe(36 + 8 + 36 + 8 + 16 + 8 + 50);
      expect(countParams(m, 'all')).toBe(162 + 3 * 8);
    });
  });

  it('DARTS_V2 at the paper\'s CIFAR-10 size (C=36, 20 cells) has the 3,349,342 parameters quark0/darts train.py logs', () => {
    // "param size = 3.349342MB" (no auxiliary head); the paper's table rounds it to 3.3M
    const model = buildDerivedModel(parseGenotype(fixture('darts-v2.txt')), classificationTask([32, 32, 3], 10), {
      ...base,
      channels: 36,
      cells: 20,
      stemMultiplier: 3,
    });
    withModel(model, (m) => expect(countParams(m)).toBe(3_349_342));
  });

  it('one-node DARTS cell with parameter-free ops: 68', () => {
    // stem 3·3·1·2 = 18 + BN 4; pre0 and pre1 1×1 2→2 = 4 + BN 4 each; dense 2·10+10 = 30
    const g = parseGenotype("Genotype(normal=[('skip_connect', 0), ('max_pool_3x3', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('avg_pool_3x3', 1)], reduce_concat=[2])");
    const model = buildDerivedModel(g, classificationTask([4, 4, 1], 10), { ...base, channels: 2, cells: 1 });
    withModel(model, (m) => expect(countParams(m)).toBe(18 + 4 + 8 + 8 + 30));
  });
});

describe('training a derived model', () => {
  it('the loss falls on a tiny batch, with no tensor leak', () => {
    const task = classificationTask([8, 8, 1], 10);
    const model = buildDerivedModel(MIXED, task, base);
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 3);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const { input, target } = task.makeBatch(x, y, 0);
    const optimizer = tf.train.adam(0.01);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = () =>
      tf.tidy(() => {
        const cost = optimizer.minimize(() => task.loss(model.apply(input, { training: true }) as tf.Tensor, target), true, vars)!;
        return cost.dataSync()[0];
      });
    const losses = [step()];
    const tensorsAfterFirstStep = tf.memory().numTensors;
    for (let i = 0; i < 7; i++) losses.push(step());
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    optimizer.dispose();
    tf.dispose([x, y, input, target]);
    model.dispose();
  });
});

describe('an NB201 node fed the same tensor twice', () => {
  it('predicts (tfjs-layers freed a tensor one Add received twice: the 15th entrant of a seed-4 race crashed on it)', () => {
    const task = classificationTask([28, 28, 1], 10);
    const model = buildDerivedModel(parseGenotype('|skip_connect~0|+|skip_connect~0|skip_connect~1|+|nor_conv_3x3~0|nor_conv_1x1~1|nor_conv_1x1~2|'), task, {
      channels: 4,
      cells: 3,
      nodes: 4,
      stemMultiplier: 3,
      stemStride: 2,
      reductions: true,
      seed: 0,
    });
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => Array.from((model.predict(tf.ones([2, 28, 28, 1])) as tf.Tensor).dataSync()));
    expect(out).toHaveLength(20);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
