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
 * MaxPoolGrad over channel-major copies (wasm's Transpose), so each window scan is scalar code over
 * one plane. Ties go to the first maximum in row-major window order, as on the cpu backend.
 */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const wasm = backend as unknown as WasmBackend;
  const P = wasmPrims(wasm);
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const { top, left } = info.padInfo;
  const xT = P.transpose(input, [3, 0, 1, 2]);
  const dyT = P.transpose(dy, [3, 0, 1, 2]);
  const dxT = wasm.makeOutput([C, n, H, W], 'float32');
  // Views after the last allocation: a malloc may grow the heap and detach earlier views.
  const xs = wasm.typedArrayFromHeap(xT) as Float32Array;
  const gs = wasm.typedArrayFromHeap(dyT) as Float32Array;
  const dx = wasm.typedArrayFromHeap(dxT) as Float32Array;
  dx.fill(0);
  for (let plane = 0; plane < C * n; plane++) {
    const xPlane = plane * H * W;
    const gPlane = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(H, h0 + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(W, w0 + KW);
        let best = -Infinity;
        let at = -1;
        for (let h = hStart; h < hEnd; h++) {
          const row = xPlane + h * W;
          for (let w = wStart; w < wEnd; w++) {
            const v = xs[row + w];
            if (v > best || at < 0) {
              best = v;
              at = row + w;
            }
          }
        }
        if (at >= 0) dx[at] += gs[gPlane + oh * OW + ow];
      }
    }
  }
  P.dispose(xT);
  P.dispose(dyT);
  const out = P.transpose(dxT, [1, 2, 3, 0]);
  P.dispose(dxT);
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
