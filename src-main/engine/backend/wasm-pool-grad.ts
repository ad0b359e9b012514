import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './wasm-heap.js';

/**
 * MaxPoolGrad for wasm as a plain loop over the wasm heap. tfjs-backend-wasm 4.22's own MaxPoolGrad
 * returns wrong values once the heap has been reused (batch 2, 5×5×3 already fails against cpu),
 * which silently corrupts every network with max pooling.
 * Ties go to the first maximum in row-major window order, as on the cpu backend.
 */

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as PoolAttrs;
  const heap = backend as unknown as HeapBackend;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const out = heap.makeOutput(input.shape, 'float32');
  // Views after makeOutput: a malloc may grow the heap and detach earlier views.
  const x = heap.typedArrayFromHeap(input) as Float32Array;
  const g = heap.typedArrayFromHeap(dy) as Float32Array;
  const dx = heap.typedArrayFromHeap(out) as Float32Array;
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
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let kh = 0; kh < filterHeight; kh++) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const w = w0 + kw;
            if (w < 0 || w >= inWidth) continue;
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
