import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { createStrategy } from '../../../src-main/engine/strategy/create-strategy.js';
import { dartsStrategy } from '../../../src-main/engine/strategy/darts.strategy.js';
import { fbnetStrategy, macLatencyLookup } from '../../../src-main/engine/strategy/fbnet.strategy.js';
import { gdasStrategy, gdasTau } from '../../../src-main/engine/strategy/gdas.strategy.js';
import { pcDartsStrategy } from '../../../src-main/engine/strategy/pcdarts.strategy.js';
import { randomStrategy, sampleArchitecture } from '../../../src-main/engine/strategy/random.strategy.js';
import type { StrategyContext } from '../../../src-main/engine/strategy/strategy.types.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerDilatedConvGradients();
});

const ctx = (over: Partial<StrategyContext> = {}): StrategyContext => ({ step: 0, epoch: 0, epochs: 10, rng: new Rng(1), training: true, ...over });
const randomAlphas = (rows = 14, cols = 8) => ({ normal: tf.randomNormal([rows, cols]) as tf.Tensor2D, reduce: tf.randomNormal([rows, cols]) as tf.Tensor2D });
const rowSums = (m: tf.Tensor2D) => Array.from(tf.sum(m, 1).dataSync());

describe('DARTS', () => {
  it('weights every op by a softmax whose rows sum to 1', () => {
    const w = dartsStrategy().edgeWeights(randomAlphas(), ctx());
    for (const m of [w.normal, w.reduce] as tf.Tensor2D[]) {
      for (const s of rowSums(m)) expect(s).toBeCloseTo(1, 5);
      expect(tf.min(m).dataSync()[0]).toBeGreaterThan(0);
    }
  });
});

describe('GDAS', () => {
  it('anneals tau linearly from 10 to 0.1 over the epochs', () => {
    expect(gdasTau(0, 11)).toBe(10);
    expect(gdasTau(10, 11)).toBeCloseTo(0.1, 10);
    expect(gdasTau(5, 11)).toBeCloseTo(5.05, 10);
    expect(gdasTau(0, 1)).toBe(10);
  });

  it('forward weights are one-hot rows: exactly one non-zero, close to 1', () => {
    const w = gdasStrategy().edgeWeights(randomAlphas(), ctx()).normal as tf.Tensor2D;
    const values = w.arraySync();
    for (const row of values) {
      expect(row.filter((v) => v !== 0)).toHaveLength(1);
      expect(row.find((v) => v !== 0)).toBeCloseTo(1, 5);
    }
  });

  it('the straight-through gradient reaches the alphas', () => {
    const alpha = tf.variable(tf.randomNormal([6, 5]));
    const target = tf.randomNormal([6, 5]);
    const { grads } = tf.variableGrads(() => {
      const w = gdasStrategy().edgeWeights({ normal: alpha as unknown as tf.Tensor2D }, ctx({ epoch: 9 })).normal as tf.Tensor2D;
      return tf.sum(tf.mul(w, target)) as tf.Scalar;
    }, [alpha]);
    expect(tf.sum(tf.abs(grads[alpha.name])).dataSync()[0]).toBeGreaterThan(0);
  });

  it('samples differ between steps but replay from the same seed; evaluation uses the argmax', () => {
    const alphas = randomAlphas(50, 8);
    const s = gdasStrategy();
    const pick = (c: StrategyContext) => Array.from(tf.argMax(s.edgeWeights(alphas, c).normal as tf.Tensor2D, 1).dataSync());
    const rng = new Rng(3);
    const first = pick(ctx({ rng }));
    const second = pick(ctx({ rng }));
    expect(first).not.toEqual(second);
    expect(pick(ctx({ rng: new Rng(3) }))).toEqual(first);
    expect(pick(ctx({ training: false }))).toEqual(Array.from(tf.argMax(alphas.normal, 1).dataSync()));
  });
});

describe('PC-DARTS', () => {
  const space = getSpace('darts');

  it('switches on 1/4 partial channels in the supernet and owns edge betas', () => {
    const s = pcDartsStrategy({ space, seed: 1 });
    expect(s.supernetOptions?.partialChannels).toBe(4);
    expect(s.archVars?.().map((b) => b.shape)).toEqual([[14], [14]]);
    const net = new Supernet({ space, task: classificationTask([8, 8, 1], 10), channels: 8, cells: 3, stemStride: 2, seed: 1, ...s.supernetOptions });
    const mixed = (net as unknown as { stages: { cell: { mixed: { opChannels: number; channels: number }[] } }[] }).stages[0].cell.mixed[0];
    expect(mixed.opChannels / mixed.channels).toBe(1 / 4);
    net.dispose();
  });

  it('edge normalisation: the rows entering one node sum to 1 together', () => {
    const s = pcDartsStrategy({ space, seed: 1 });
    const w = s.edgeWeights(randomAlphas(), ctx()).normal as tf.Tensor2D;
    const sums = rowSums(w);
    let row = 0;
    for (let node = 2; node < 6; node++) {
      const incoming = sums.slice(row, row + node);
      expect(incoming.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      row += node;
    }
  });

  it('the betas get a gradient', () => {
    const s = pcDartsStrategy({ space, seed: 2 });
    const target = tf.randomNormal([14, 8]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(s.edgeWeights(randomAlphas(), ctx()).normal as tf.Tensor2D, target)) as tf.Scalar, s.archVars?.() ?? []);
    const normalBeta = (s.archVars?.() ?? [])[0];
    expect(tf.sum(tf.abs(grads[normalBeta.name])).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('random search', () => {
  it('DARTS space: 2 incoming edges per node with a non-none op each, one-hot', () => {
    const space = getSpace('darts');
    const sample = sampleArchitecture(space, new Rng(4));
    const none = space.primitives.indexOf('none');
    for (const m of [sample.normal, sample.reduce] as number[][][]) {
      let row = 0;
      for (let node = 2; node < 6; node++) {
        const rows = m.slice(row, row + node);
        expect(rows.filter((r) => r.some((v) => v === 1))).toHaveLength(2);
        for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
        expect(rows.every((r) => r[none] === 0)).toBe(true);
        row += node;
      }
    }
  });

  it('NB201: each op is picked about uniformly on each edge', () => {
    const space = getSpace('nb201');
    const rng = new Rng(5);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 2000; i++) {
      const m = sampleArchitecture(space, rng).normal as number[][];
      for (const r of m) counts[r.indexOf(1)]++;
    }
    for (const c of counts) expect(c / (2000 * 6)).toBeCloseTo(0.2, 1);
  });

  it('does not train the alphas and returns one-hot tensors', () => {
    const s = randomStrategy(getSpace('nb201'));
    expect(s.trainsAlphas).toBe(false);
    const w = s.edgeWeights({}, ctx()).normal as tf.Tensor2D;
    expect(rowSums(w)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(s.finalCandidates?.(3, new Rng(1))).toHaveLength(3);
  });
});

describe('FBNet', () => {
  const space = getSpace('darts', { nodes: 2 });
  const net = () => new Supernet({ space, task: classificationTask([8, 8, 1], 10), channels: 4, cells: 3, stemStride: 2, seed: 3 });

  it('expected latency is Σ p·latency over every edge instance', async () => {
    const supernet = net();
    const s = fbnetStrategy({ latencyOf: (p) => (p === 'sep_conv_3x3' ? 2 : 0), targetMs: 1 });
    s.attach?.(supernet);
    const alphas = { normal: tf.zeros([5, 8]) as tf.Tensor2D, reduce: tf.zeros([5, 8]) as tf.Tensor2D };
    // Uniform p = 1/8 on 3 cells × 5 edges, 2 ms for one op.
    expect(await s.expectedLatencyMs?.(alphas)).toBeCloseTo(15 * 2 / 8, 5);
    supernet.dispose();
  });

  it('the latency term pushes alphas toward cheaper ops', () => {
    const supernet = net();
    const s = fbnetStrategy({ latencyOf: (p) => (p === 'sep_conv_5x5' ? 10 : 0.1), targetMs: 0.5, latencyWeight: 1 });
    s.attach?.(supernet);
    const alpha = tf.variable(tf.zeros([5, 8]));
    const alphas = { normal: alpha as unknown as tf.Tensor2D, reduce: tf.zeros([5, 8]) as tf.Tensor2D };
    const { grads } = tf.variableGrads(() => tf.add(1, s.extraLoss?.(tf.scalar(1), alphas, ctx()) as tf.Scalar) as tf.Scalar, [alpha]);
    const g = grads[alpha.name].arraySync() as number[][];
    const sep5 = space.primitives.indexOf('sep_conv_5x5');
    for (const row of g) expect(row[sep5]).toBeGreaterThan(0); // gradient descent lowers the costly op's alpha
    supernet.dispose();
  });

  it('weights are soft Gumbel-softmax rows (sum 1), and the MAC stand-in prices convs above pools', () => {
    const s = fbnetStrategy({ latencyOf: macLatencyLookup(), targetMs: 1 });
    for (const v of rowSums(s.edgeWeights(randomAlphas(), ctx()).normal as tf.Tensor2D)) expect(v).toBeCloseTo(1, 5);
    const edge = { cellIndex: 0, cellType: 'normal' as const, edge: '2<-0', row: 0, cIn: 8, cOut: 8, stride: 1 as const, height: 14, width: 14 };
    const lat = macLatencyLookup();
    expect(lat('sep_conv_5x5', edge)).toBeGreaterThan(lat('sep_conv_3x3', edge));
    expect(lat('sep_conv_3x3', edge)).toBeGreaterThan(lat('max_pool_3x3', edge));
    expect(lat('none', edge)).toBe(0);
  });
});

describe('createStrategy', () => {
  it('builds every named strategy', () => {
    const space = getSpace('nb201');
    for (const name of ['darts', 'gdas', 'pcdarts', 'fbnet', 'random'] as const) expect(createStrategy(name, { space, seed: 0 }).name).toBe(name);
  });
});
