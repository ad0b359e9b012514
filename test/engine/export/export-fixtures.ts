import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

/**
 * Small models from the derived-model vocabulary, one per task shape, with batch norms whose statistics
 * are not the identity (so folding is exercised) and seeded weights.
 */

function randomiseBatchNorms(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const ws = layer.getWeights();
    layer.setWeights(
      ws.map((w, i) => {
        const n = w.size;
        const v = new Float32Array(n);
        // gamma, beta, moving mean, moving variance (variance must stay positive)
        for (let k = 0; k < n; k++) v[k] = i === ws.length - 1 ? 0.5 + rng.next() : i === 0 ? 0.5 + rng.next() : rng.normal() * 0.2;
        return tf.tensor(v, w.shape);
      }),
    );
  }
}

function reseed(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0 || layer.getClassName() === 'BatchNormalization') continue;
    layer.setWeights(
      ws.map((w) => {
        const v = new Float32Array(w.size);
        const fanIn = w.shape.length > 1 ? w.size / w.shape[w.shape.length - 1] : 1;
        for (let k = 0; k < v.length; k++) v[k] = (rng.normal() * Math.sqrt(2 / fanIn)) * (w.shape.length === 1 ? 0.1 : 1);
        return tf.tensor(v, w.shape);
      }),
    );
  }
  randomiseBatchNorms(model, rng);
}

/** [28,28,1] → 10 logits, ~46k params: stride-2 conv, dilated conv, depthwise, BN, concat, pools, reshape, dense. */
export function mnistLikeClassifier(seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'stem_conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  // reduction: dil_conv via even subsample, plus a strided conv, concatenated
  const sub = tf.layers.maxPooling2d({ poolSize: 1, strides: 2, name: 'even_subsample' }).apply(x) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'dil_as_sub' }).apply(sub) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', name: 'strided' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ name: 'cat' }).apply([a, b]) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'cat_bn' }).apply(x) as tf.SymbolicTensor; // not foldable: follows concat
  x = tf.layers.reLU({ name: 'cat_relu' }).apply(x) as tf.SymbolicTensor;
  const p = tf.layers.separableConv2d({ filters: 32, kernelSize: 3, padding: 'same', dilationRate: 2, useBias: false, name: 'sep_dil' }).apply(x) as tf.SymbolicTensor;
  const pb = tf.layers.batchNormalization({ name: 'pw_bn' }).apply(p) as tf.SymbolicTensor;
  const skip = tf.layers.conv2d({ filters: 32, kernelSize: 1, name: 'skip_proj' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add({ name: 'res_add' }).apply([pb, skip]) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'res_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid', name: 'max' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 48, kernelSize: 3, padding: 'valid', activation: 'relu', name: 'head_conv' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [4 * 4 * 48], name: 'flat' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 32, activation: 'relu', name: 'hidden' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'hidden_bn' }).apply(x) as tf.SymbolicTensor; // 2-D, after a fused relu: stays
  const out = tf.layers.dense({ units: 10, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'mnist_like' });
  reseed(model, seed);
  return model;
}

/** [28,28,1] → [28,28,1], output = add([input, residual]); exercises zero padding, cropping, a BN after add. */
export function denoiser(seed = 2): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.zeroPadding2d({ padding: [[2, 2], [2, 2]], name: 'pad' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', name: 'c1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'r1' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'c2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add({ name: 'inner_add' }).apply([x, y]) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn_after_add' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.cropping2D({ cropping: [[2, 2], [2, 2]], name: 'crop' }).apply(x) as tf.SymbolicTensor;
  const residual = tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', name: 'residual' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.add({ name: 'denoised' }).apply([input, residual]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'denoiser' });
  reseed(model, seed);
  return model;
}

/** HAR: [1,128,9] windows, 1×k kernels, → 6 classes; the head sees flattened and global-average features. */
export function harModel(seed = 3): tf.LayersModel {
  const input = tf.input({ shape: [1, 128, 9] });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: [1, 5], strides: [1, 2], padding: 'same', useBias: false, name: 'c1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'r1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: [1, 3], padding: 'same', name: 'dw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 24, kernelSize: [1, 1], activation: 'relu', name: 'pw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: [1, 4], strides: [1, 4], name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const flat = tf.layers.reshape({ targetShape: [16 * 24], name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ name: 'features' }).apply([flat, gap]) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 256, activation: 'relu', name: 'hidden' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 6, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'har' });
  reseed(model, seed);
  return model;
}

/** A real derived model (DARTS_V2 cells: sep_conv, dil_conv with dilated depthwise, pools, skip, reductions). */
export function dartsV2Small(): tf.LayersModel {
  const text = readFileSync(fileURLToPath(new URL('../../fixtures/genotypes/darts-v2.txt', import.meta.url)), 'utf8');
  return buildDerivedModel(parseGenotype(text), classificationTask([28, 28, 1], 10), { channels: 4, cells: 3, nodes: 4, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 5 });
}

/** Deterministic inputs in [0,1] (images) or roughly unit-normal (HAR), shaped [n, ...inputShape]. */
export function sampleInputs(model: tf.LayersModel, n: number, seed = 7): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const v = new Float32Array(n * size);
  const image = shape[0] !== 1;
  for (let i = 0; i < v.length; i++) v[i] = image ? Math.max(0, Math.min(1, 0.5 + 0.35 * rng.normal())) : rng.normal();
  return tf.tensor(v, [n, ...shape]);
}
