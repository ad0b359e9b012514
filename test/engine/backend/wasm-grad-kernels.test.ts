import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { depthwiseFilterGradByKernels, originalWasmKernels } from '../../../src-main/engine/backend/wasm-grad-kernels.js';
import { setSimdGradKernelsEnabled, simdGradKernels } from '../../../src-main/engine/backend/simd/grad-kernels.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { randomArray, relativeError, runOn } from './backend-test-utils.js';

const TOLERANCE = 1e-4;

interface ConvCase {
  n: number; h: number; w: number; cin: number; cout: number; k: number;
  stride: 1 | 2; pad: 'same' | 'valid' | number;
}

const fixedCases: ConvCase[] = [
  { n: 2, h: 7, w: 7, cin: 3, cout: 4, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 7, w: 7, cin: 3, cout: 4, k: 3, stride: 2, pad: 'same' },
  { n: 1, h: 14, w: 14, cin: 16, cout: 8, k: 3, stride: 2, pad: 'valid' },
  { n: 3, h: 14, w: 14, cin: 5, cout: 16, k: 5, stride: 1, pad: 'valid' },
  { n: 4, h: 7, w: 9, cin: 1, cout: 2, k: 1, stride: 2, pad: 'valid' },
  { n: 2, h: 8, w: 8, cin: 4, cout: 4, k: 5, stride: 2, pad: 'same' },
  { n: 2, h: 7, w: 7, cin: 2, cout: 3, k: 3, stride: 1, pad: 1 },
  { n: 1, h: 9, w: 7, cin: 3, cout: 2, k: 3, stride: 2, pad: 2 },
  // 1×1: the transpose + matmul filter gradient (stride 2 reads x[::2, ::2]); explicit pads use the conv formulation.
  { n: 3, h: 6, w: 6, cin: 12, cout: 5, k: 1, stride: 1, pad: 'same' },
  { n: 2, h: 7, w: 8, cin: 6, cout: 9, k: 1, stride: 2, pad: 'same' },
  { n: 2, h: 5, w: 5, cin: 4, cout: 3, k: 1, stride: 1, pad: 1 },
  // Stems (KH·KW·Ci <= 27): the im2col + matmul filter gradient.
  { n: 2, h: 9, w: 9, cin: 1, cout: 6, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 8, w: 7, cin: 3, cout: 5, k: 3, stride: 1, pad: 'valid' },
];

function randomCases(seed: number, count: number): ConvCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  return Array.from({ length: count }, () => ({
    n: 1 + rng.int(4), h: pick([5, 7, 8, 14]), w: pick([5, 7, 8, 14]),
    cin: 1 + rng.int(16), cout: 1 + rng.int(16), k: pick([1, 3, 5]),
    stride: pick([1, 2] as const), pad: pick(['same', 'valid'] as const),
  })).filter((c) => c.pad === 'same' || (c.h >= c.k && c.w >= c.k));
}

const cases = [...fixedCases, ...randomCases(7, 10)];
const label = (c: ConvCase) => `n${c.n} ${c.h}x${c.w} ${c.cin}->${c.cout} k${c.k} s${c.stride} ${c.pad}`;

/** Gradients of sum(conv(x, w) * g) w.r.t. x and w: g fixes dy to a random tensor. */
function convGrads(c: ConvCase, depthwise: boolean, seed: number) {
  const rng = new Rng(seed);
  const xShape = [c.n, c.h, c.w, c.cin];
  const wShape = depthwise ? [c.k, c.k, c.cin, 1] : [c.k, c.k, c.cin, c.cout];
  const xv = randomArray(rng, xShape);
  const wv = randomArray(rng, wShape);
  return () => {
    const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
    const w = tf.tensor4d(wv, wShape as [number, number, number, number]);
    const forward = (a: tf.Tensor4D, b: tf.Tensor4D) => depthwise
      ? tf.depthwiseConv2d(a, b, c.stride, c.pad)
      : tf.conv2d(a, b, c.stride, c.pad);
    const outShape = forward(x, w).shape;
    const g = tf.tensor(randomArray(new Rng(seed + 1), outShape), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => forward(a as tf.Tensor4D, b as tf.Tensor4D).mul(g).sum())([x, w]);
    return [dx, dw];
  };
}

async function compare(fn: () => tf.Tensor[]) {
  const wasm = await runOn('wasm', fn);
  const cpu = await runOn('cpu', fn);
  await tf.setBackend('wasm');
  return { wasm, cpu, errors: wasm.values.map((v, i) => relativeError(v, cpu.values[i])) };
}

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(async () => {
    const report = await selectBackend({ prefer: 'wasm' });
    expect(report.name).toBe('wasm');
  });

  it('replaced the kernels wasm lacks or runs slowly', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
    // wasm's own Conv2DBackpropInput is kept aside for the benchmark.
    expect(originalWasmKernels.get('Conv2DBackpropInput')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).not.toBe(originalWasmKernels.get('Conv2DBackpropInput'));
  });

  it.each(cases.map((c, i) => [label(c), c, i] as const))('conv2d %s', async (_name, c, i) => {
    const { wasm, cpu, errors } = await compare(convGrads(c, false, 100 + i));
    expect(wasm.shapes).toEqual(cpu.shapes);
    expect(errors[0]).toBeLessThan(TOLERANCE);
    expect(errors[1]).toBeLessThan(TOLERANCE);
  });

  it('conv2d 1x1 stride 2 without wasm SIMD (strided-slice fallback)', async () => {
    setSimdGradKernelsEnabled(false);
    try {
      const { errors } = await compare(convGrads({ n: 2, h: 7, w: 8, cin: 6, cout: 9, k: 1, stride: 2, pad: 'same' }, false, 99));
      expect(errors[1]).toBeLessThan(TOLERANCE);
    } finally {
      setSimdGradKernelsEnabled(true);
    }
  });

  it.each(cases.map((c, i) => [label({ ...c, cout: c.cin }), c, i] as const))('depthwise %s', async (_name, c, i) => {
    const { wasm, cpu, errors } = await compare(convGrads(c, true, 200 + i));
    expect(wasm.shapes).toEqual(cpu.shapes);
    expect(errors[0]).toBeLessThan(TOLERANCE);
    expect(errors[1]).toBeLessThan(TOLERANCE);
  });

  const poolCases = [
    { n: 2, h: 5, c: 3, size: 2, stride: 1, pad: 'valid' },
    { n: 2, h: 7, c: 16, size: 3, stride: 2, pad: 'same' },
    { n: 4, h: 14, c: 8, size: 2, stride: 2, pad: 'valid' },
    { n: 1, h: 7, c: 5, size: 3, stride: 1, pad: 'same' },
    { n: 3, h: 8, c: 1, size: 3, stride: 2, pad: 'valid' },
    { n: 2, h: 6, c: 6, size: 3, stride: 1, pad: 'same' },
    { n: 1, h: 9, c: 9, size: 3, stride: 2, pad: 'same' },
  ] as const;
  it.each(poolCases.flatMap((p, i) => (['max', 'avg', 'max (JS fallback)'] as const).map((kind) => [`${kind} n${p.n} ${p.h}x${p.h}x${p.c} size${p.size} s${p.stride} ${p.pad}`, kind, p, i] as const)))(
    'pool %s (after relu, so windows hold ties)', async (_name, kind, p, i) => {
      const rng = new Rng(300 + i);
      const xv = randomArray(rng, [p.n, p.h, p.h, p.c]);
      const fn = () => {
        const x = tf.tensor4d(xv, [p.n, p.h, p.h, p.c]);
        const pool = (a: tf.Tensor) => kind !== 'avg'
          ? tf.maxPool(tf.relu(a as tf.Tensor4D), p.size, p.stride, p.pad)
          : tf.avgPool(a as tf.Tensor4D, p.size, p.stride, p.pad);
        const y = pool(x);
        const g = tf.tensor(randomArray(new Rng(400 + i), y.shape), y.shape);
        return [y, tf.grad((a: tf.Tensor) => pool(a).mul(g).sum())(x)];
      };
      setSimdGradKernelsEnabled(kind !== 'max (JS fallback)');
      const { errors } = await compare(fn).finally(() => setSimdGradKernelsEnabled(true));
      expect(errors[0]).toBeLessThan(TOLERANCE);
      expect(errors[1]).toBeLessThan(TOLERANCE);
    });

  it('uses the SIMD kernels on this runtime (Node 20 has wasm SIMD)', async () => {
    await tf.setBackend('wasm');
    expect(simdGradKernels(tf.backend())).toBeDefined();
  });

  it.each([
    [1, 'same', 1, 5], [2, 'valid', 1, 5], [1, 'same', 2, 5], [1, 'valid', 2, 5], [1, 'same', 1, 8], [2, 'same', 1, 12],
  ] as const)('depthwise filter grad: SIMD loop, JS loop and kernel composition agree (stride %i, %s, dilation %i, C=%i)', async (stride, pad, dilation, channels) => {
    await tf.setBackend('wasm');
    const rng = new Rng(77);
    const x = tf.tensor4d(randomArray(rng, [3, 9, 9, channels]), [3, 9, 9, channels]);
    const y = tf.depthwiseConv2d(x, tf.ones([3, 3, channels, 1]) as tf.Tensor4D, stride, pad, 'NHWC', dilation);
    const dy = tf.tensor(randomArray(rng, y.shape), y.shape);
    const attrs = { strides: stride, pad, dilations: dilation, filterShape: [3, 3, channels, 1] } as unknown as tf.NamedAttrMap;
    const run = (fn: tf.KernelFunc) => {
      const info = fn({ inputs: { x, dy }, backend: tf.backend(), attrs }) as tf.TensorInfo;
      const values = tf.backend().readSync(info.dataId) as Float32Array;
      tf.backend().disposeData(info.dataId);
      return { values: Float32Array.from(values), shape: info.shape };
    };
    const ours = tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')!.kernelFunc;
    const simd = run(ours);
    setSimdGradKernelsEnabled(false);
    let loop: ReturnType<typeof run>;
    try {
      loop = run(ours);
    } finally {
      setSimdGradKernelsEnabled(true);
    }
    const composed = run(depthwiseFilterGradByKernels);
    expect(simd.shape).toEqual([3, 3, channels, 1]);
    expect(loop.shape).toEqual(simd.shape);
    expect(composed.shape).toEqual(simd.shape);
    expect(relativeError(composed.values, simd.values)).toBeLessThan(TOLERANCE);
    expect(relativeError(loop.values, simd.values)).toBeLessThan(TOLERANCE);
    tf.dispose([x, y, dy]);
  });

  it('frees every intermediate (engine tensors and raw wasm buffers)', async () => {
    await tf.setBackend('wasm');
    const fn = convGrads(fixedCases[1], false, 1);
    const dfn = convGrads(fixedCases[5], true, 2);
    const pool = () => [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 1, 'same').sum())(tf.randomNormal([2, 5, 5, 6]))];
    const all = () => [...fn(), ...dfn(), ...pool()];
    tf.dispose(tf.tidy(all));
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(all));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
  });

  it('rejects a depthwise channel multiplier other than 1 with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    expect(() => tf.grad((a: tf.Tensor) => tf.depthwiseConv2d(x, a as tf.Tensor4D, 1, 'same').sum())(w))
      .toThrow(/channel multiplier 1/);
    tf.dispose([x, w]);
  });

  it('trains a small conv + depthwise + pool net with the same gradients as cpu', async () => {
    const rng = new Rng(42);
    const shapes: Record<string, number[]> = {
      conv: [3, 3, 2, 6], dw: [3, 3, 6, 1], pw: [1, 1, 6, 8], dense: [8 * 2 * 2, 3],
    };
    const init = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, randomArray(rng, s)]));
    const xv = randomArray(rng, [4, 9, 9, 2]);
    const labels = [0, 2, 1, 2];
    const net = () => {
      const vars = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(init[k], s), true, `${k}_${Math.random()}`)]));
      const x = tf.tensor4d(xv, [4, 9, 9, 2]);
      const { value, grads } = tf.variableGrads(() => {
        let h = tf.relu(tf.conv2d(x, vars.conv as tf.Tensor4D, 1, 'same'));
        h = tf.depthwiseConv2d(h, vars.dw as tf.Tensor4D, 2, 'same');
        h = tf.conv2d(h, vars.pw as tf.Tensor4D, 1, 'valid');
        h = tf.maxPool(h, 2, 1, 'valid');
        h = tf.avgPool(h, 2, 2, 'same');
        const logits = tf.matMul(tf.reshape(h, [4, -1]), vars.dense as tf.Tensor2D);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits) as tf.Scalar;
      }, Object.values(vars));
      const out = [value, ...Object.values(vars).map((v) => grads[v.name])];
      tf.dispose(Object.values(vars));
      return out;
    };
    const { errors, wasm } = await compare(net);
    expect(wasm.values).toHaveLength(5);
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });
});
