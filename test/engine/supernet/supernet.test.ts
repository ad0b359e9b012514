import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import { EdgeInput } from '../../../src-main/engine/ops/edge-input.js';
import { DARTS_OPS } from '../../../src-main/engine/ops/registry.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { DARTS_PRIMITIVES } from '../../../src-main/engine/space/space.types.js';
import { MixedOp, channelShuffle } from '../../../src-main/engine/supernet/mixed-op.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { harTask } from '../../../src-main/engine/tasks/har.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { softmaxWeights, tinyDenoisingTask } from './supernet-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

const mnistLike = classificationTask([8, 8, 1], 10);

describe('MixedOp', () => {
  it('equals the weighted sum of its ops', () => {
    const mixed = new MixedOp(DARTS_PRIMITIVES, DARTS_OPS, 4, 1, { dims: 2, rng: new Rng(5), bnAfterPool: true });
    const x = tf.randomNormal([2, 6, 6, 4]) as tf.Tensor4D;
    const w = tf.tensor2d([[0.1, 0.05, 0.2, 0.15, 0.1, 0.1, 0.2, 0.1]]);
    const values = w.dataSync();
    const ours = mixed.apply(new EdgeInput(x, 2), w, mixed.activeOps(values), true) as tf.Tensor4D;
    const reference = tf.addN(mixed.ops.map((op, k) => tf.mul(op.apply(x, true), values[k])));
    expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('skips ops whose weight is exactly zero and returns null when nothing contributes', () => {
    const mixed = new MixedOp(DARTS_PRIMITIVES, DARTS_OPS, 4, 2, { dims: 2, rng: new Rng(5) });
    expect(mixed.activeOps([0, 0, 0.5, 0, 1, 0, 0, 0])).toEqual([2, 4]);
    expect(mixed.activeOps([1, 0, 0, 0, 0, 0, 0, 0])).toEqual([]); // 'none' alone is zero
    const x = tf.randomNormal([1, 4, 4, 4]) as tf.Tensor4D;
    expect(mixed.apply(new EdgeInput(x, 2), tf.zeros([1, 8]), [], true)).toBeNull();
  });

  it('with partial channels runs its ops on C/K channels and keeps the edge shape', () => {
    const mixed = new MixedOp(DARTS_PRIMITIVES, DARTS_OPS, 8, 2, { dims: 2, rng: new Rng(5) }, 4);
    expect(mixed.opChannels).toBe(2);
    expect(mixed.ops[4].variables[0].shape).toEqual([3, 3, 2, 1]);
    const x = tf.randomNormal([2, 6, 6, 8]) as tf.Tensor4D;
    const w = tf.fill([1, 8], 0.125) as tf.Tensor2D;
    const y = mixed.apply(new EdgeInput(x, 2), w, mixed.activeOps(w.dataSync()), true) as tf.Tensor4D;
    expect(y.shape).toEqual([2, 3, 3, 8]);
  });

  it('channel shuffle interleaves the groups', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    expect(Array.from(channelShuffle(x, 4).dataSync())).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });
});

describe('Supernet', () => {
  it('DARTS: logits of the task shape, separate weight and alpha lists, one [14, 8] alpha per cell type', async () => {
    const net = new Supernet({ space: getSpace('darts'), task: mnistLike, channels: 4, cells: 3, stemStride: 2, seed: 1 });
    expect(net.alphaVars().map((a) => a.shape)).toEqual([[14, 8], [14, 8]]);
    const weightIds = new Set(net.weightVars().map((v) => v.id));
    expect(net.alphaVars().some((a) => weightIds.has(a.id))).toBe(false);
    const logits = tf.tidy(() => net.forward(tf.randomUniform([2, 8, 8, 1]), softmaxWeights(net.alphas), true));
    expect(logits.shape).toEqual([2, 10]);
    const probs = await net.alphaProbs();
    expect(probs.edges).toHaveLength(14);
    for (const row of [...probs.normal, ...(probs.reduce ?? [])]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    net.dispose();
  });

  it('DARTS: the loss gradient reaches every alpha and the weights', () => {
    const net = new Supernet({ space: getSpace('darts', { nodes: 2 }), task: mnistLike, channels: 4, cells: 3, stemStride: 2, seed: 2 });
    const x = tf.randomUniform([2, 8, 8, 1]);
    const target = tf.oneHot([1, 3], 10);
    const { grads } = tf.variableGrads(() => mnistLike.loss(net.forward(x, softmaxWeights(net.alphas), true), target), [...net.alphaVars(), ...net.weightVars()]);
    for (const a of net.alphaVars()) expect(tf.sum(tf.abs(grads[a.name])).dataSync()[0]).toBeGreaterThan(0);
    const nonZero = net.weightVars().filter((v) => tf.sum(tf.abs(grads[v.name])).dataSync()[0] > 0).length;
    expect(nonZero).toBeGreaterThan(net.weightVars().length * 0.9);
    net.dispose();
  });

  it('a one-hot weighting runs exactly one op per edge', () => {
    const net = new Supernet({ space: getSpace('darts', { nodes: 2 }), task: mnistLike, channels: 4, cells: 3, stemStride: 2, seed: 3 });
    let calls = 0;
    const cells = (net as unknown as { stages: { cell?: { mixed: MixedOp[] } }[] }).stages;
    for (const stage of cells) {
      for (const mixed of stage.cell?.mixed ?? []) {
        for (const op of mixed.ops) {
          const apply = op.apply.bind(op);
          op.apply = (...args) => {
            calls++;
            return apply(...args);
          };
        }
      }
    }
    // Edge e picks primitive 1 + (e mod 7): never 'none', so every edge runs its op.
    const oneHot = tf.oneHot(Array.from({ length: 5 }, (_, e) => 1 + (e % 7)), 8).toFloat() as tf.Tensor2D;
    tf.tidy(() => net.forward(tf.randomUniform([2, 8, 8, 1]), { normal: oneHot, reduce: oneHot }, true));
    expect(calls).toBe(3 * 5);
    net.dispose();
  });

  it('NB201: one cell type with [6, 5] alphas, ResNet reduction blocks, logits out', () => {
    const net = new Supernet({ space: getSpace('nb201'), task: mnistLike, channels: 4, cells: 3, stemStride: 1, seed: 4 });
    expect(net.alphaVars().map((a) => a.shape)).toEqual([[6, 5]]);
    const logits = tf.tidy(() => net.forward(tf.randomUniform([2, 8, 8, 1]), softmaxWeights(net.alphas), true));
    expect(logits.shape).toEqual([2, 10]);
    net.dispose();
  });

  it('HAR: 1-D cells over [B, T, C] windows', () => {
    const task = harTask(16, 3, 6);
    const net = new Supernet({ space: getSpace('har1d', { nodes: 2 }), task, channels: 4, cells: 3, stemStride: 1, seed: 5 });
    const logits = tf.tidy(() => net.forward(tf.randomNormal([2, 16, 3]), softmaxWeights(net.alphas), true));
    expect(logits.shape).toEqual([2, 6]);
    expect(net.edgeInstances().every((e) => e.height === 1)).toBe(true);
    net.dispose();
  });

  it('denoising: stride-1 cells, output = input + residual of the input shape', () => {
    const task = tinyDenoisingTask([8, 8, 1]);
    expect(() => new Supernet({ space: getSpace('darts'), task, channels: 4, cells: 2, stemStride: 2, seed: 6 })).toThrow(/stemStride/);
    const net = new Supernet({ space: getSpace('darts', { nodes: 2 }), task, channels: 4, cells: 2, stemStride: 1, seed: 6 });
    const out = tf.tidy(() => net.forward(tf.randomUniform([2, 8, 8, 1]), softmaxWeights(net.alphas), true));
    expect(out.shape).toEqual([2, 8, 8, 1]);
    expect(net.edgeInstances().every((e) => e.stride === 1 && e.height === 8)).toBe(true);
    net.dispose();
  });

  it('chain: one alpha row per block, strided blocks double the channels', () => {
    const net = new Supernet({ space: getSpace('chain', { blocks: 3 }), task: mnistLike, channels: 4, cells: 0, stemStride: 2, seed: 7 });
    expect(net.alphaVars().map((a) => a.shape)).toEqual([[3, 10]]);
    expect(net.edgeInstances().map((e) => [e.cIn, e.cOut, e.stride])).toEqual([
      [4, 4, 1],
      [4, 8, 2],
      [8, 16, 2],
    ]);
    const logits = tf.tidy(() => net.forward(tf.randomUniform([2, 8, 8, 1]), softmaxWeights(net.alphas), true));
    expect(logits.shape).toEqual([2, 10]);
    net.dispose();
  });

  it('rejects edge weights of the wrong shape, naming the cell type', () => {
    const net = new Supernet({ space: getSpace('nb201'), task: mnistLike, channels: 4, cells: 3, stemStride: 1, seed: 8 });
    expect(() => net.forward(tf.zeros([1, 8, 8, 1]), { normal: tf.zeros([6, 4]) }, true)).toThrow(/normal.*\[6, 4\].*\[6, 5\]/);
    net.dispose();
  });

  it('is seeded: the same seed gives the same weights and alphas', async () => {
    const make = () => new Supernet({ space: getSpace('nb201'), task: mnistLike, channels: 4, cells: 3, stemStride: 1, seed: 9 });
    const a = make();
    const b = make();
    expect(Array.from(a.weightVars()[3].dataSync())).toEqual(Array.from(b.weightVars()[3].dataSync()));
    expect(await a.alphaLogits('normal')).toEqual(await b.alphaLogits('normal'));
    a.dispose();
    b.dispose();
  });
});
