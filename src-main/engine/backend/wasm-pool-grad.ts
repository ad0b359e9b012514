import * as tf from '@tensorflow/tfjs';
import { depthwiseInputGrad } from './conv-grad-math.js';
import type { HeapBackend } from './wasm-heap.js';
import { wasmPrims, type DisposingBackend } from './wasm-prims.js';

/**
 * Pool gradients for wasm. tfjs-backend-wasm 4.22's own MaxPoolGrad returns wrong values once the
 * heap has been reused (batch 2, 5×5×3 already fails against cpu), which silently corrupts every
 * network with max pooling; its AvgPoolGrad is correct but a slow direct loop.
 */

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type WasmBackend = HeapBackend & DisposingBackend;

function poolInfo(xShape: number[], attrs: PoolAttrs) {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * MaxPoolGrad as one pass over the wasm heap in NHWC order (measured faster than scanning channel-major
 * copies, which cost two transposes). Ties go to the first maximum in row-major window order, as on cpu.
 */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const wasm = backend as unknown as WasmBackend;
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const out = wasm.makeOutput(input.shape, 'float32');
  // Views after makeOutput: a malloc may grow the heap and detach earlier views.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(C);
  const bestAt = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * C;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + filterWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const base = xBatch + (h * inWidth + w) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c] || bestAt[c] < 0) {
                best[c] = v;
                bestAt[c] = base + c;
              }
            }
          }
        }
        const gBase = ((b * outHeight + oh) * outWidth + ow) * C;
        for (let c = 0; c < C; c++) {
          if (bestAt[c] >= 0) dx[bestAt[c]] += g[gBase + c];
        }
      }
    }
  }
  return out;
};

/**
 * AvgPoolGrad (tfjs semantics: dy / window area, spread over the window) as the input gradient of a
 * depthwise conv with a constant 1/area filter: wasm's fast depthwise kernel does the work.
 */
export const avgPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const wasm = backend as unknown as WasmBackend;
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const { filterHeight: KH, filterWidth: KW, inChannels: C } = info;
  const filter = wasm.makeOutput([KH, KW, C, 1], 'float32');
  (wasm.typedArrayFromHeap(filter) as Float32Array).fill(1 / (KH * KW));
  const P = wasmPrims(wasm);
  const { top, bottom, left, right } = info.padInfo;
  const dx = depthwiseInputGrad(P, dy, filter, input.shape, {
    strides: [info.strideHeight, info.strideWidth], dilations: [1, 1],
    pads: [top, bottom, left, right], filterHeight: KH, filterWidth: KW,
  });
  P.dispose(filter);
  return dx;
};
