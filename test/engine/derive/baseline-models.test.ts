import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  baselineArchitecture,
  buildBaselineModel,
  buildCnn1dBaseline,
  buildMobileNetBaseline,
  cnn1dChannels,
  cnn1dParams,
  mobileNetParams,
  nearestWidth,
  WIDTH_STEP,
} from '../../../src-main/engine/derive/baseline-models.js';
import { countParams } from '../../../src-main/engine/derive/build-derived-model.js';
import { LayersModelReplica } from '../../../src-main/engine/parallel/layers-model.replica.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';
import type { Task } from '../../../src-main/engine/tasks/task.types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The layer vocabulary every exporter knows (build-derived-model.ts). */
const STOCK = new Set(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'GlobalAveragePooling2D', 'Dense', 'Reshape']);

const image = classificationTask([12, 12, 1], 10);
const rgb = classificationTask([16, 16, 3], 4);
const har = harTask(32, 6, 5);

function dataset(task: Task, n: number): ArrayDataset {
  const sample = task.kind === 'har' ? task.inputShape.slice(1) : task.inputShape;
  const size = sample.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * size }, (_, i) => ((i * 7919) % 101) / 101);
  const y = Int32Array.from({ length: n }, (_, i) => i % Math.max(1, task.numClasses));
  return { name: 'tiny', x, xShape: [n, ...sample], y, classes: Array.from({ length: Math.max(1, task.numClasses) }, (_, c) => String(c)) } as ArrayDataset;
}

describe('baseline models', () => {
  it('count their trainable parameters as the formulas say', () => {
    for (const [task, width] of [[image, 3], [rgb, 2.375]] as const) {
      const model = buildMobileNetBaseline({ inputShape: task.inputShape, numClasses: task.numClasses, width });
      expect(countParams(model)).toBe(mobileNetParams(width, task.inputShape[2], task.numClasses));
      model.dispose();
    }
    const model = buildCnn1dBaseline({ inputShape: har.inputShape, numClasses: 5, width: 4 });
    expect(cnn1dChannels(4)).toEqual([4, 8, 16]);
    expect(countParams(model)).toBe(cnn1dParams(4, 6, 5));
    // hand count: 5·6·4 + 2·4 = 128; 5·4·8 + 2·8 = 176; 5·8·16 + 2·16 = 672; 16·5 + 5 = 85
    expect(countParams(model)).toBe(1061);
    model.dispose();
  });

  it('hit a parameter target: the nearest width, within 3 % of a 3k target and 1.5 % from 10k up', () => {
    for (const task of [image, rgb, har]) {
      for (const target of [3_000, 20_000, 120_000]) {
        const { width } = baselineArchitecture(task, target);
        const model = buildBaselineModel(task, target, 0);
        const params = countParams(model);
        model.dispose();
        const count = (w: number) => (task.kind === 'har' ? cnn1dParams(w, 6, task.numClasses) : mobileNetParams(w, task.inputShape[2], task.numClasses));
        expect(params).toBe(count(width));
        // the next width up or down would be further from the target
        expect(Math.abs(params - target)).toBeLessThanOrEqual(Math.abs(count(width + WIDTH_STEP) - target));
        if (width > WIDTH_STEP) expect(Math.abs(params - target)).toBeLessThanOrEqual(Math.abs(count(width - WIDTH_STEP) - target));
        expect(Math.abs(params - target) / target).toBeLessThan(target >= 10_000 ? 0.015 : 0.03);
      }
    }
  });

  it('nearestWidth: in eighths; the smallest model when the target is below it; a tie goes to the narrower', () => {
    expect(nearestWidth((w) => 100 * w, 10)).toBe(0.125);
    expect(nearestWidth((w) => 100 * w, 250)).toBe(2.5);
    expect(nearestWidth((w) => 100 * w, 256.25)).toBe(2.5);
    expect(nearestWidth((w) => 100 * w, 257)).toBe(2.625);
  });

  it('are named by task, stably, with their width', () => {
    expect(baselineArchitecture(image, 20_000).name).toBe('MobileNet-style CNN (depthwise-separable, 11–91 channels)');
    expect(baselineArchitecture(harTask(128, 9, 6), 20_000).name).toBe('1-D CNN (3 conv blocks, 19–77 channels)');
    expect(baselineArchitecture(denoisingTask([8, 8, 1], { kind: 'gaussian' }), 5_000).name).toMatch(/^DnCNN-style CNN \(5 conv layers, \d+ channels\)$/);
    expect(baselineArchitecture(image, 20_000)).toEqual(baselineArchitecture(image, 20_000));
  });

  it('use stock layers only; HAR kernels and pools act along time only', () => {
    const mobile = buildBaselineModel(image, 5_000, 1);
    const cnn = buildBaselineModel(har, 5_000, 1);
    for (const model of [mobile, cnn]) for (const layer of model.layers) expect(STOCK).toContain(layer.getClassName());
    expect(mobile.layers.filter((l) => l.getClassName() === 'DepthwiseConv2D')).toHaveLength(5);
    expect(mobile.outputs[0].shape).toEqual([null, 10]);
    for (const layer of cnn.layers) {
      const c = layer.getConfig() as { kernelSize?: number[]; poolSize?: number[]; strides?: number[] };
      for (const key of ['kernelSize', 'poolSize', 'strides'] as const) if (c[key]) expect(c[key]![0]).toBe(1);
    }
    expect(cnn.outputs[0].shape).toEqual([null, 5]);
    // A [T, C] window is reshaped to [1, T, C], as the derived model does.
    const flat = buildCnn1dBaseline({ inputShape: [32, 6], numClasses: 5, width: 2 });
    expect(flat.layers[1].getClassName()).toBe('Reshape');
    for (const model of [mobile, cnn, flat]) model.dispose();
  });

  it('a seed replays the initial weights; another seed changes them', () => {
    const weights = (task: Task, seed: number) => {
      const model = buildBaselineModel(task, 3_000, seed);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    for (const task of [image, har]) {
      expect(weights(task, 3)).toEqual(weights(task, 3));
      expect(weights(task, 4)).not.toEqual(weights(task, 3));
    }
  });

  it('train a few steps on tiny data: the loss falls and stays finite', () => {
    for (const task of [image, har]) {
      const data = dataset(task, 16);
      const model = buildBaselineModel(task, 2_000, 0);
      const replica = new LayersModelReplica(model, task, { train: data }, { learningRate: 1e-2 });
      const indices = Int32Array.from({ length: 16 }, (_, i) => i);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const ctx = { step, epoch: 1, epochs: 1, totalSteps: 6, seed: 0 };
        const { loss, grads } = replica.gradients('weights', 'train', indices, ctx);
        replica.apply('weights', grads, ctx);
        losses.push(loss);
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
      model.dispose();
    }
  });
});
