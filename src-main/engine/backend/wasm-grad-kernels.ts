import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad, depthwiseFilterGrad, depthwiseInputGrad, type ConvGeometry } from './conv-grad-math.js';
import { conv2dFilterGradIm2col, useIm2colFilterGrad } from './wasm-conv-filter-grad-im2col.js';
import { convInputGradSubPixel } from './wasm-conv-input-grad-subpixel.js';
import { depthwiseFilterGrad as depthwiseFilterGradHeap } from './wasm-depthwise-filter-grad.js';
import { simdGradKernels } from './simd/grad-kernels.js';
import type { HeapBackend } from './wasm-heap.js';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';
import { avgPoolGradKernel, maxPoolGradKernel } from './wasm-pool-grad.js';
import { fastAdd, fastCast, fastConcat, fastIdentity, fastMean, fastMultiply, fastSlice, fastSplitV, fastSub, fastSum } from './wasm-layout-kernels.js';
import { wasmPrims, type DisposingBackend, type WasmPrims } from './wasm-prims.js';

/**
 * Gradient kernels for tfjs-backend-wasm 4.22, computed with its fast (XNNPACK) forward convolutions
 * where that is fastest, else as plain loops over the wasm heap. wasm lacks Conv2DBackpropFilter and
 * both depthwise backprops, its own Conv2DBackpropInput and AvgPoolGrad are slow direct loops, and its
 * MaxPoolGrad gives wrong results (see wasm-pool-grad.ts); these replace them.
 */

type KernelArgs = Parameters<tf.KernelFunc>[0];

const REPLACED = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPoolGrad',
  'AvgPoolGrad',
] as const;

/** Kernels wasm has but runs slowly in common cases: ours handles those and hands the rest to the original. */
const WRAPPED: Record<string, (original: tf.KernelFunc) => tf.KernelFunc> = {
  Slice: fastSlice,
  SplitV: fastSplitV,
  Concat: fastConcat,
  Sum: fastSum,
  Mean: fastMean,
  Identity: fastIdentity,
  Cast: fastCast,
  Multiply: fastMultiply,
  Add: fastAdd,
  Sub: fastSub,
};

/**
 * The wasm kernels we replaced, kept so tests and benchmarks can compare against them. Held on
 * globalThis because tfjs's kernel registry is process-wide even when this module is loaded twice.
 */
const ORIGINALS_KEY = Symbol.for('nas-studio.backend.original-wasm-kernels');
const globalStore = globalThis as { [ORIGINALS_KEY]?: Map<string, tf.KernelConfig> };
export const originalWasmKernels: ReadonlyMap<string, tf.KernelConfig> = (globalStore[ORIGINALS_KEY] ??= new Map());

function args(a: KernelArgs) {
  return { inputs: a.inputs as Record<string, tf.TensorInfo>, attrs: (a.attrs ?? {}) as unknown as ConvAttrs & { filterShape: number[]; inputShape: number[] }, P: wasmPrims(a.backend as unknown as DisposingBackend) };
}

/** The depthwise filter gradient composed of wasm kernels (per-sample depthwise conv + sum); benchmarked against the loop. */
export const depthwiseFilterGradByKernels: tf.KernelFunc = (a) => {
  const { inputs, attrs, P } = args(a);
  const { x, dy } = inputs;
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
  return depthwiseFilterGrad(P, x, dy, g);
};

/**
 * Filter gradient of a 1×1 conv (the pointwise half of every sep_conv/dil_conv, and the cell preprocessing):
 * dW = Xᵀ·dy over all positions, one transpose and one XNNPACK matmul; measured 2–4× faster than the
 * forward-conv formulation (e.g. 14×14 32→32 b64: 2.9 vs 5.2 ms; wasm's transposeA matmul is slower still).
 * A strided 1×1 conv (factorized reduce) reads x[::s, ::s].
 */
function pointwiseFilterGrad(backend: HeapBackend & DisposingBackend, P: WasmPrims, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const [n, , , ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const [sH, sW] = g.strides;
  const xs = sH > 1 || sW > 1 ? subsample(backend, P, x, oh, ow, sH, sW) : x;
  const positions = n * oh * ow;
  const x2 = P.reshape(xs, [positions, ci]);
  if (xs !== x) P.dispose(xs);
  const xT = P.transpose(x2, [1, 0]);
  P.dispose(x2);
  const a = P.reshape(xT, [1, ci, positions]);
  P.dispose(xT);
  const b = P.reshape(dy, [1, positions, co]);
  const product = P.matMul(a, b);
  P.dispose(a);
  P.dispose(b);
  const dw = P.reshape(product, [1, 1, ci, co]);
  P.dispose(product);
  return dw;
}

/** x[:, ::sH, ::sW, :] cut to oh×ow, as row copies (wasm's StridedSlice is a slow generic loop: 16 vs <1 ms). */
function subsample(backend: HeapBackend & DisposingBackend, P: WasmPrims, x: tf.TensorInfo, oh: number, ow: number, sH: number, sW: number): tf.TensorInfo {
  const [n, H, W, C] = x.shape;
  const simd = simdGradKernels(backend);
  if (!simd) return P.stridedSlice(x, [0, 0, 0, 0], [n, (oh - 1) * sH + 1, (ow - 1) * sW + 1, C], [1, sH, sW, 1]);
  const out = backend.makeOutput([n, oh, ow, C], x.dtype);
  const src = backend.typedArrayFromHeap(x).byteOffset;
  const dst = backend.typedArrayFromHeap(out).byteOffset;
  const rowBytes = C * 4;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      simd.copyRows(src + ((b * H + r * sH) * W) * rowBytes, dst + (b * oh + r) * ow * rowBytes, ow, rowBytes, sW * rowBytes, rowBytes);
    }
  }
  return out;
}

const kernelFuncs: Record<(typeof REPLACED)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: (a) => {
    const { inputs, attrs, P } = args(a);
    const { x, dy } = inputs;
    const g = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs, false);
    if (g.filterHeight === 1 && g.filterWidth === 1 && g.pads.every((p) => p === 0)) return pointwiseFilterGrad(a.backend as unknown as HeapBackend & DisposingBackend, P, x, dy, g);
    if (useIm2colFilterGrad(attrs.filterShape)) return conv2dFilterGradIm2col(a.backend as unknown as HeapBackend & DisposingBackend, x, dy, g);
    return conv2dFilterGrad(P, x, dy, g);
  },
  Conv2DBackpropInput: (a) => {
    const { inputs, attrs, P } = args(a);
    const { dy, filter } = inputs;
    const g = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs, false);
    const strided = g.strides.some((s) => s > 1);
    const dilated = g.dilations.some((d) => d > 1);
    if (strided && !dilated) return convInputGradSubPixel('conv2d', a.backend as unknown as HeapBackend & DisposingBackend, dy, filter, attrs.inputShape, g);
    return conv2dInputGrad(P, dy, filter, attrs.inputShape, g);
  },
  DepthwiseConv2dNativeBackpropFilter: (a) => {
    const { inputs, attrs } = args(a);
    const { x, dy } = inputs;
    const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
    return depthwiseFilterGradHeap(a.backend as unknown as HeapBackend & DisposingBackend, x, dy, g);
  },
  DepthwiseConv2dNativeBackpropInput: (a) => {
    const { inputs, attrs, P } = args(a);
    const { dy, filter } = inputs;
    const g = convGeometry('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, filter.shape, attrs, true);
    // Zero-insertion beats the phase split here (measured 4.7 vs 12.3 ms, s2 b64 28x28x32): a depthwise
    // conv is memory-bound, so the phase split saves little compute and its interleave pass costs more.
    return depthwiseInputGrad(P, dy, filter, attrs.inputShape, g);
  },
  MaxPoolGrad: maxPoolGradKernel,
  AvgPoolGrad: avgPoolGradKernel,
};

const OURS = Symbol.for('nas-studio.backend.wasm-grad-kernel');

/** Whether the wasm backend runs our kernel for this name (registerWasmGradientKernels has run). */
export function hasOurWasmKernel(name: string): boolean {
  const config = tf.getKernel(name, 'wasm');
  return config !== undefined && OURS in config;
}

/** Registers the gradient kernels on the wasm backend (idempotent, also across module reloads). */
export function registerWasmGradientKernels(): void {
  const originals = globalStore[ORIGINALS_KEY] as Map<string, tf.KernelConfig>;
  for (const name of REPLACED) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing !== undefined && OURS in existing) continue;
    if (existing !== undefined) {
      originals.set(name, existing);
      tf.unregisterKernel(name, 'wasm');
    }
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFuncs[name], [OURS]: true } as tf.KernelConfig);
  }
  for (const [name, wrap] of Object.entries(WRAPPED)) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing !== undefined && OURS in existing) continue;
    if (existing === undefined) throw new Error(`wasm backend has no ${name} kernel to speed up (src-main/engine/backend/wasm-grad-kernels.ts)`);
    originals.set(name, existing);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...existing, kernelFunc: wrap(existing.kernelFunc), [OURS]: true } as tf.KernelConfig);
  }
}
