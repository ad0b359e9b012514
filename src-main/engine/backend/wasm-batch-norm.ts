import * as tf from '@tensorflow/tfjs';
import { simdGradKernels, type SimdGradKernels } from './simd/grad-kernels.js';
import type { HeapBackend } from './wasm-heap.js';
import type { DisposingBackend } from './wasm-prims.js';

/**
 * Training-mode batch norm over the last axis as two wasm kernels: forward (y and the batch statistics) in
 * three passes over x, backward (dx, dgamma, dbeta) in two passes over dy and x. Composed from tfjs ops
 * the same math costs about fourteen full-size launches per layer and step, the largest share of a derived
 * model's step after the convolutions (bench/profile-step.ts). Statistics accumulate in f64.
 */
export const BATCH_NORM_TRAIN = 'NasStudioBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'NasStudioBatchNormTrainGrad';

type WasmBackend = HeapBackend & DisposingBackend;
interface Attrs { epsilon: number }

const address = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;

/** Per-channel scratch on the wasm heap: one f64 accumulator and three f32 coefficient vectors. */
function scratch(backend: WasmBackend, channels: number) {
  const info = backend.makeOutput([channels * 5 + 2], 'float32');
  return {
    info,
    /** Views are taken after every makeOutput of the kernel: a malloc can grow the heap and detach them. */
    views() {
      const heap = backend.typedArrayFromHeap(info) as Float32Array;
      const accOffset = Math.ceil(heap.byteOffset / 8) * 8;
      const acc = new Float64Array(heap.buffer, accOffset, channels);
      const coefficients = new Float32Array(heap.buffer, accOffset + channels * 8, channels * 3);
      return { acc, a: coefficients.subarray(0, channels), b: coefficients.subarray(channels, 2 * channels), d: coefficients.subarray(2 * channels) };
    },
  };
}

/**
 * What both kernels start with: a full-size output shaped like x, two per-channel outputs and the scratch,
 * all allocated before any view is taken (a malloc can grow the heap and detach earlier views).
 */
function setUp({ inputs, backend: b, attrs }: Parameters<tf.KernelFunc>[0]) {
  const backend = b as unknown as WasmBackend;
  const { x } = inputs as { x: tf.TensorInfo };
  const C = x.shape[x.shape.length - 1];
  const outputs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([C], 'float32'), backend.makeOutput([C], 'float32')];
  const work = scratch(backend, C);
  return {
    backend,
    simd: simdGradKernels(b) as SimdGradKernels,
    epsilon: (attrs as unknown as Attrs).epsilon,
    C,
    rows: tf.util.sizeFromShape(x.shape) / C,
    outputs,
    work,
    view: (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array,
    at: (t: tf.TensorInfo) => address(backend, t),
  };
}

const forward: tf.KernelFunc = (args) => {
  const { backend, simd, epsilon, C, rows, outputs, work, view, at } = setUp(args);
  const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  const [y, mean, variance] = outputs;
  const { acc, a, b: zero, d } = work.views();
  const meanView = view(mean);
  const varianceView = view(variance);
  const g = view(gamma);
  const beta_ = view(beta);
  const xAt = at(x);
  acc.fill(0);
  simd.sumRows(xAt, acc.byteOffset, rows, C);
  for (let c = 0; c < C; c++) meanView[c] = acc[c] / rows;
  acc.fill(0);
  simd.centeredDotRows(xAt, xAt, meanView.byteOffset, acc.byteOffset, rows, C);
  for (let c = 0; c < C; c++) {
    varianceView[c] = acc[c] / rows;
    a[c] = g[c] / Math.sqrt(varianceView[c] + epsilon);
    zero[c] = 0;
    d[c] = beta_[c] - meanView[c] * a[c];
  }
  simd.affineRows(xAt, xAt, a.byteOffset, zero.byteOffset, d.byteOffset, at(y), rows, C);
  backend.disposeData(work.info.dataId);
  return outputs;
};

const backward: tf.KernelFunc = (args) => {
  const { backend, simd, epsilon, C, rows, outputs, work, view, at } = setUp(args);
  const { dy, x, gamma, mean, variance } = args.inputs as Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance', tf.TensorInfo>;
  const [dx, dgamma, dbeta] = outputs;
  const { acc, a, b: k2, d } = work.views();
  const dgammaView = view(dgamma);
  const dbetaView = view(dbeta);
  const g = view(gamma);
  const m = view(mean);
  const v = view(variance);
  const dyAt = at(dy);
  const xAt = at(x);
  acc.fill(0);
  simd.sumRows(dyAt, acc.byteOffset, rows, C);
  const sumDy = Float64Array.from(acc);
  acc.fill(0);
  simd.centeredDotRows(xAt, dyAt, m.byteOffset, acc.byteOffset, rows, C);
  // dx = s·dy − s·x̂·dgamma/N − s·dbeta/N with s = gamma·rstd and x̂ = (x − mean)·rstd, as dy·a + x·k2 + d.
  for (let c = 0; c < C; c++) {
    const rstd = 1 / Math.sqrt(v[c] + epsilon);
    const dg = acc[c] * rstd;
    const s = g[c] * rstd;
    dgammaView[c] = dg;
    dbetaView[c] = sumDy[c];
    a[c] = s;
    k2[c] = (-s * rstd * dg) / rows;
    d[c] = (s * (rstd * m[c] * dg - sumDy[c])) / rows;
  }
  simd.affineRows(dyAt, xAt, a.byteOffset, k2.byteOffset, d.byteOffset, at(dx), rows, C);
  backend.disposeData(work.info.dataId);
  return outputs;
};

/** Whether the fused kernels can run on the active backend (wasm with SIMD, registered). */
export function fusedBatchNormAvailable(): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(BATCH_NORM_TRAIN, 'wasm') !== undefined && simdGradKernels(tf.backend()) !== undefined;
}

/** Registers both kernels on wasm and the forward kernel's gradient (idempotent). */
export function registerWasmBatchNorm(): void {
  if (tf.getKernel(BATCH_NORM_TRAIN, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: forward });
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: backward });
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, mean, variance] = saved;
      const dyY = Array.isArray(dy) ? dy[0] : dy;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dyY, x, gamma, mean, variance }, attrs) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

/** y and the batch mean and (biased) variance; the gradient flows to x, gamma and beta. */
export function fusedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y, mean, variance };
}
