import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

const TOLERANCE = 1e-4;
type Shape4 = [number, number, number, number];

interface DilatedCase { n: number; h: number; w: number; cin: number; cout: number; k: number; d: number; pad: 'same' | 'valid' }

const cases: DilatedCase[] = [
  { n: 2, h: 7, w: 7, cin: 3, cout: 4, k: 3, d: 2, pad: 'same' },
  { n: 1, h: 14, w: 14, cin: 8, cout: 16, k: 3, d: 2, pad: 'valid' },
  { n: 3, h: 9, w: 7, cin: 2, cout: 3, k: 5, d: 2, pad: 'same' },
  { n: 4, h: 14, w: 14, cin: 16, cout: 1, k: 3, d: 2, pad: 'same' },
  { n: 1, h: 1, w: 16, cin: 6, cout: 4, k: 3, d: 2, pad: 'same' },
];

/** The dilated k×k filter as the equivalent undilated filter with zeros between the taps. */
function expandFilter(w: Float32Array, shape: Shape4, d: number): { values: Float32Array; shape: Shape4 } {
  const [k1, k2, ci, co] = shape;
  const e1 = (k1 - 1) * d + 1;
  const e2 = (k2 - 1) * d + 1;
  const out = new Float32Array(e1 * e2 * ci * co);
  for (let a = 0; a < k1; a++) for (let b = 0; b < k2; b++) for (let i = 0; i < ci * co; i++) {
    out[((a * d) * e2 + b * d) * ci * co + i] = w[(a * k2 + b) * ci * co + i];
  }
  return { values: out, shape: [e1, e2, ci, co] };
}

/** Picks the taps of an expanded filter gradient back out: the dilated filter's gradient. */
function gatherTaps(g: Float32Array, shape: Shape4, d: number, k: [number, number]): Float32Array {
  const [, e2, ci, co] = shape;
  const out = new Float32Array(k[0] * k[1] * ci * co);
  for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) for (let i = 0; i < ci * co; i++) {
    out[(a * k[1] + b) * ci * co + i] = g[((a * d) * e2 + b * d) * ci * co + i];
  }
  return out;
}

function gradsOf(c: DilatedCase, depthwise: boolean, seed: number, dilated: boolean) {
  const rng = new Rng(seed);
  const xShape: Shape4 = [c.n, c.h, c.w, c.cin];
  const kh = c.h === 1 ? 1 : c.k;
  const wShape: Shape4 = depthwise ? [kh, c.k, c.cin, 1] : [kh, c.k, c.cin, c.cout];
  const xv = randomArray(rng, xShape);
  const wv = randomArray(rng, wShape);
  const filter = dilated ? { values: wv, shape: wShape } : expandFilter(wv, wShape, c.d);
  const dil = dilated ? c.d : 1;
  return {
    wShape, filter,
    fn: () => {
      const x = tf.tensor4d(xv, xShape);
      const w = tf.tensor4d(filter.values, filter.shape);
      const forward = (a: tf.Tensor, b: tf.Tensor) => depthwise
        ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad, 'NHWC', dil)
        : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad, 'NHWC', dil);
      const y = forward(x, w);
      const g = tf.tensor(randomArray(new Rng(seed + 1), y.shape), y.shape);
      return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => forward(a, b).mul(g).sum())([x, w])];
    },
  };
}

describe('dilated conv gradients (stride 1, dilation 2)', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  for (const depthwise of [false, true]) {
    it.each(cases.map((c, i) => [`${depthwise ? 'depthwise' : 'conv2d'} n${c.n} ${c.h}x${c.w} ${c.cin}->${depthwise ? c.cin : c.cout} k${c.k} ${c.pad}`, c, i] as const))(
      '%s matches an undilated conv with a zero-filled filter', async (_name, c, i) => {
        const seed = 500 + i + (depthwise ? 50 : 0);
        const ref = gradsOf(c, depthwise, seed, false);
        const reference = await runOn('cpu', ref.fn);
        const refFilterGrad = gatherTaps(reference.values[2], ref.filter.shape, c.d, [ref.wShape[0], ref.wShape[1]]);
        for (const backend of ['cpu', 'wasm']) {
          const got = await runOn(backend, gradsOf(c, depthwise, seed, true).fn);
          expect(got.shapes[0]).toEqual(reference.shapes[0]);
          expect(relativeError(got.values[0], reference.values[0])).toBeLessThan(TOLERANCE);
          expect(relativeError(got.values[1], reference.values[1])).toBeLessThan(TOLERANCE);
          expect(relativeError(got.values[2], refFilterGrad)).toBeLessThan(TOLERANCE);
        }
      });
  }

  it('still refuses dilation with stride 2, naming the way around it', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([1, 8, 8, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
    // tfjs refuses the forward op itself; the engine computes it on x[::2, ::2] instead.
    expect(() => tf.grad((a: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, w, 2, 'same', 'NHWC', 2).sum())(x)).toThrow();
    tf.dispose([x, w]);
  });

  it('lets stock tf.layers.conv2d and separableConv2d with dilationRate 2 train on wasm, as on cpu', async () => {
    const rng = new Rng(9);
    const xv = randomArray(rng, [2, 9, 9, 3]);
    const run = () => {
      const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', kernelInitializer: tf.initializers.ones() });
      const dw = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid', depthwiseInitializer: tf.initializers.ones(), pointwiseInitializer: tf.initializers.ones() });
      const x = tf.tensor4d(xv, [2, 9, 9, 4 - 1]);
      const f = () => (dw.apply(conv.apply(x) as tf.Tensor) as tf.Tensor).square().mean() as tf.Scalar;
      f();
      const { value, grads } = tf.variableGrads(f);
      const out = [value, ...Object.keys(grads).sort().map((k) => grads[k]), dw.apply(conv.apply(x) as tf.Tensor) as tf.Tensor];
      conv.dispose();
      dw.dispose();
      return out;
    };
    const cpu = await runOn('cpu', run);
    const wasm = await runOn('wasm', run);
    // 9×9 'valid' with a 3×3 kernel at dilation 2 (5×5 footprint) gives 5×5.
    expect(cpu.shapes.at(-1)).toEqual([2, 5, 5, 4]);
    expect(wasm.shapes).toEqual(cpu.shapes);
    expect(wasm.values.length).toBe(7);
    wasm.values.forEach((v, i) => expect(relativeError(v, cpu.values[i])).toBeLessThan(TOLERANCE));
    // No patch of tfjs classes: stock DepthwiseConv2D still ignores dilationRate (why derived models use SeparableConv2D).
    const layer = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'valid' });
    expect(layer.computeOutputShape([null, 9, 9, 4])).toEqual([null, 7, 7, 4]);
  });
});
