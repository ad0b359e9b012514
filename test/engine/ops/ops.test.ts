import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EdgeInput } from '../../../src-main/engine/ops/edge-input.js';
import { BN_EPSILON, batchNorm, depthwise } from '../../../src-main/engine/ops/layers.js';
import { CHAIN_OPS, DARTS_OPS, HAR_OPS, NB201_OPS, getOpRegistry } from '../../../src-main/engine/ops/registry.js';
import { CHAIN_PRIMITIVES, DARTS_PRIMITIVES, HAR_PRIMITIVES, NB201_PRIMITIVES } from '../../../src-main/engine/space/space.types.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const C = 4;

describe('op registries', () => {
  it('cover every primitive of every space', () => {
    expect(Object.keys(DARTS_OPS).sort()).toEqual([...DARTS_PRIMITIVES].sort());
    expect(Object.keys(NB201_OPS).sort()).toEqual([...NB201_PRIMITIVES].sort());
    expect(Object.keys(HAR_OPS).sort()).toEqual([...HAR_PRIMITIVES].sort());
    expect(Object.keys(CHAIN_OPS).sort()).toEqual([...CHAIN_PRIMITIVES].sort());
    expect(() => getOpRegistry('nope' as never)).toThrow(/nope/);
  });
});

describe('2-D ops', () => {
  for (const name of DARTS_PRIMITIVES) {
    for (const stride of [1, 2] as const) {
      for (const size of [8, 7]) {
        it(`${name} stride ${stride} on ${size}×${size} gives ${Math.ceil(size / stride)}×${Math.ceil(size / stride)}×${C}`, () => {
          const op = DARTS_OPS[name](C, C, stride, { dims: 2, rng: new Rng(1), bnAfterPool: true });
          const y = tf.tidy(() => op.apply(tf.randomNormal([2, size, size, C]), true));
          const out = Math.ceil(size / stride);
          expect(y.shape).toEqual([2, out, out, C]);
          expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
          y.dispose();
          op.variables.forEach((v) => v.dispose());
        });
      }
    }
  }

  for (const name of NB201_PRIMITIVES) {
    it(`NB201 ${name} keeps 6×6×${C} at stride 1`, () => {
      const op = NB201_OPS[name](C, C, 1, { dims: 2, rng: new Rng(1) });
      const y = tf.tidy(() => op.apply(tf.randomNormal([2, 6, 6, C]), true));
      expect(y.shape).toEqual([2, 6, 6, C]);
      y.dispose();
    });
  }

  for (const name of CHAIN_PRIMITIVES) {
    it(`chain ${name} maps 8×8×4 to 4×4×8 at stride 2 and keeps shape at stride 1`, () => {
      const down = CHAIN_OPS[name](4, 8, 2, { dims: 2, rng: new Rng(1) });
      const same = CHAIN_OPS[name](4, 4, 1, { dims: 2, rng: new Rng(1) });
      const [a, b] = tf.tidy(() => {
        const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
        return [down.apply(x, true), same.apply(x, true)];
      });
      expect(a.shape).toEqual([2, 4, 4, 8]);
      expect(b.shape).toEqual([2, 8, 8, 4]);
      tf.dispose([a, b]);
    });
  }

  it('none is flagged as zero and returns zeros', () => {
    const op = DARTS_OPS.none(C, C, 2, { dims: 2, rng: new Rng(1) });
    expect(op.isZero).toBe(true);
    const y = op.apply(tf.ones([1, 4, 4, C]), true);
    expect(tf.sum(tf.abs(y)).dataSync()[0]).toBe(0);
  });

  it('skip_connect at stride 1 is the identity', () => {
    const op = DARTS_OPS.skip_connect(C, C, 1, { dims: 2, rng: new Rng(1) });
    const x = tf.randomNormal([1, 5, 5, C]) as tf.Tensor4D;
    expect(op.apply(x, true)).toBe(x);
    expect(op.variables).toHaveLength(0);
  });

  it('dil_conv at stride 2 equals the dilated stride-1 conv sampled at even positions', () => {
    const op = DARTS_OPS.dil_conv_3x3(C, C, 2, { dims: 2, rng: new Rng(3) });
    const [dw, pw] = op.variables as unknown as tf.Tensor4D[];
    const x = tf.randomNormal([2, 9, 9, C]) as tf.Tensor4D;
    // Reference: full-resolution dilated conv (forward only, so the missing dilated gradient is irrelevant).
    const full = tf.conv2d(depthwise(tf.relu(x), dw, 1, 2, 2), pw, 1, 'same');
    const even = tf.maxPool(full, 1, 2, 'valid');
    const { mean, variance } = tf.moments(even, [0, 1, 2]);
    const reference = tf.div(tf.sub(even, mean), tf.sqrt(tf.add(variance, 1e-5)));
    const ours = op.apply(x, true);
    expect(ours.shape).toEqual([2, 5, 5, C]);
    const maxDiff = tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0];
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('ops sharing an EdgeInput compute one ReLU between them', async () => {
    const x = tf.randomNormal([1, 6, 6, C]) as tf.Tensor4D;
    const a = DARTS_OPS.sep_conv_3x3(C, C, 1, { dims: 2, rng: new Rng(1) });
    const b = DARTS_OPS.dil_conv_3x3(C, C, 2, { dims: 2, rng: new Rng(1) });
    const reluCount = async (shared: boolean): Promise<number> => {
      const profile = await tf.profile(() => {
        const input = shared ? new EdgeInput(x, 2) : undefined;
        return [a.apply(x, true, input), b.apply(x, true, input)];
      });
      return profile.kernels.filter((k) => k.name === 'Relu').length;
    };
    // sep_conv applies a second, inner ReLU of its own.
    expect(await reluCount(false)).toBe(3);
    expect(await reluCount(true)).toBe(2);
  });

  it('gradients reach every variable of the convolution ops', () => {
    for (const name of ['sep_conv_3x3', 'dil_conv_5x5', 'skip_connect'] as const) {
      const op = DARTS_OPS[name](C, C, 2, { dims: 2, rng: new Rng(2) });
      const x = tf.randomNormal([2, 6, 6, C]) as tf.Tensor4D;
      const target = tf.randomNormal([2, 3, 3, C]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(op.apply(x, true), target)) as tf.Scalar, op.variables);
      expect(Object.keys(grads)).toHaveLength(op.variables.length);
      for (const g of Object.values(grads)) expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    }
  });
});

describe('1-D (HAR) ops over [B, 1, T, C]', () => {
  for (const name of HAR_PRIMITIVES) {
    for (const stride of [1, 2] as const) {
      it(`${name} stride ${stride} on T=15 gives T=${Math.ceil(15 / stride)} and height 1`, () => {
        const op = HAR_OPS[name](C, C, stride, { dims: 1, rng: new Rng(1), bnAfterPool: true });
        const y = tf.tidy(() => op.apply(tf.randomNormal([3, 1, 15, C]), true));
        expect(y.shape).toEqual([3, 1, Math.ceil(15 / stride), C]);
        y.dispose();
      });
    }
  }

  it('uses 1×k kernels', () => {
    const op = HAR_OPS.conv_7(C, 6, 1, { dims: 1, rng: new Rng(1) });
    expect(op.variables[0].shape).toEqual([1, 7, C, 6]);
  });
});

describe('batchNorm (affine-free, batch statistics, custom gradient)', () => {
  it('matches tf.batchNorm with moments in value and gradient', () => {
    const x = tf.randomNormal([3, 4, 5, 6]) as tf.Tensor4D;
    const upstream = tf.randomNormal([3, 4, 5, 6]);
    const reference = (t: tf.Tensor4D) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      return tf.batchNorm(t, mean, variance, tf.zeros([6]) as tf.Tensor1D, tf.ones([6]) as tf.Tensor1D, BN_EPSILON);
    };
    const ours = batchNorm(x);
    expect(tf.max(tf.abs(tf.sub(ours, reference(x)))).dataSync()[0]).toBeLessThan(1e-4);
    const gOurs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(batchNorm(t as tf.Tensor4D), upstream)))(x);
    const gRef = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reference(t as tf.Tensor4D), upstream)))(x);
    expect(tf.max(tf.abs(tf.sub(gOurs, gRef))).dataSync()[0]).toBeLessThan(1e-3);
  });
});
