import type * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-grad-math.js';
import { simdGradKernels } from './simd/grad-kernels.js';
import type { HeapBackend } from './wasm-heap.js';
import type { DisposingBackend } from './wasm-prims.js';

/** Output columns whose tap lands inside the input: 0 <= ow*stride + offset < size. */
function validColumns(outSize: number, size: number, stride: number, offset: number): [number, number] {
  const start = Math.max(0, Math.ceil(-offset / stride));
  const end = Math.min(outSize, Math.floor((size - 1 - offset) / stride) + 1);
  return [start, Math.max(start, end)];
}

/**
 * The same sum with the SIMD row loop of simd/grad-kernels.wat (f32x4 lanes over channels, f64 totals):
 * about 10x faster than the JS loop below, which stays as the fallback for runtimes without wasm SIMD.
 */
export function depthwiseFilterGrad(
  backend: HeapBackend & DisposingBackend, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry,
): tf.TensorInfo {
  const simd = simdGradKernels(backend);
  if (!simd) return depthwiseFilterGradLoop(backend, x, dy, g);
  const [n, H, W, C] = x.shape;
  const [, OH, OW] = dy.shape;
  const { filterHeight: KH, filterWidth: KW } = g;
  const [sH, sW] = g.strides;
  const [dH, dW] = g.dilations;
  const [top, , left] = g.pads;
  const out = backend.makeOutput([KH, KW, C, 1], 'float32');
  const scratch = backend.makeOutput([KH * KW * C * 2 + 1], 'float32'); // f64 accumulators (+1: alignment)
  // Views and addresses after the last allocation: a malloc may grow the heap and detach earlier views.
  const scratchView = backend.typedArrayFromHeap(scratch);
  const accOffset = Math.ceil(scratchView.byteOffset / 8) * 8;
  const acc = new Float64Array(scratchView.buffer, accOffset, KH * KW * C);
  acc.fill(0);
  const xAddr = backend.typedArrayFromHeap(x).byteOffset;
  const gAddr = backend.typedArrayFromHeap(dy).byteOffset;
  const xStep = sW * C * 4;
  for (let kh = 0; kh < KH; kh++) {
    const [ohStart, ohEnd] = validColumns(OH, H, sH, kh * dH - top);
    for (let kw = 0; kw < KW; kw++) {
      const colOffset = kw * dW - left;
      const [owStart, owEnd] = validColumns(OW, W, sW, colOffset);
      if (owEnd === owStart) continue;
      const accAddr = acc.byteOffset + (kh * KW + kw) * C * 8;
      for (let b = 0; b < n; b++) {
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const h = oh * sH - top + kh * dH;
          simd.depthwiseFilterRow(
            xAddr + ((b * H + h) * W + owStart * sW + colOffset) * C * 4,
            gAddr + ((b * OH + oh) * OW + owStart) * C * 4,
            accAddr, owEnd - owStart, xStep, C);
        }
      }
    }
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  backend.disposeData(scratch.dataId);
  return out;
}

/**
 * Depthwise filter gradient (channel multiplier 1), as a JS loop:
 * dw[kh,kw,c] = sum_{n,oh,ow} x[n, oh*s - top + kh*d, ow*s - left + kw*d, c] * dy[n,oh,ow,c].
 * Read straight from the wasm heap in NHWC: for each tap and output row, the valid output columns are
 * computed once, so the inner loop is a branch-free walk over contiguous channel runs of x and dy into a
 * per-channel Float64Array accumulator. No padded or transposed copies (they cost more than the sum:
 * measured ~5x faster than the channel-major loop over padded copies, and than composing wasm kernels).
 */
export function depthwiseFilterGradLoop(
  backend: HeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry,
): tf.TensorInfo {
  const [n, H, W, C] = x.shape;
  const [, OH, OW] = dy.shape;
  const { filterHeight: KH, filterWidth: KW } = g;
  const [sH, sW] = g.strides;
  const [dH, dW] = g.dilations;
  const [top, , left] = g.pads;
  const out = backend.makeOutput([KH, KW, C, 1], 'float32');
  // Views after the last allocation: a malloc may grow the heap and detach earlier views.
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const gs = backend.typedArrayFromHeap(dy) as Float32Array;
  const result = backend.typedArrayFromHeap(out) as Float32Array;
  const acc = new Float64Array(C);
  const xStep = sW * C;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      acc.fill(0);
      const colOffset = kw * dW - left;
      const [owStart, owEnd] = validColumns(OW, W, sW, colOffset);
      for (let b = 0; b < n; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const h = oh * sH - top + kh * dH;
          if (h < 0 || h >= H) continue;
          let xi = ((b * H + h) * W + owStart * sW + colOffset) * C;
          let gi = ((b * OH + oh) * OW + owStart) * C;
          for (let ow = owStart; ow < owEnd; ow++) {
            for (let c = 0; c < C; c++) acc[c] += xs[xi + c] * gs[gi + c];
            xi += xStep;
            gi += C;
          }
        }
      }
      const base = (kh * KW + kw) * C;
      for (let c = 0; c < C; c++) result[base + c] = acc[c];
    }
  }
  return out;
}
