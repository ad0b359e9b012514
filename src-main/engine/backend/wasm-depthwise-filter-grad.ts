import type * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-grad-math.js';
import type { HeapBackend } from './wasm-heap.js';
import type { DisposingBackend } from './wasm-prims.js';
import { wasmPrims } from './wasm-prims.js';

/**
 * Depthwise filter gradient (channel multiplier 1):
 * dw[kh,kw,c] = sum_{n,oh,ow} x[n, oh*s - top + kh*d, ow*s - left + kw*d, c] * dy[n,oh,ow,c].
 * x is zero-padded and both tensors are made channel-major with wasm's own Pad and Transpose, so the
 * sum runs as long contiguous rows with a register accumulator. Measured faster than composing wasm
 * kernels (a depthwise conv with an OH×OW "filter" of dy is far off XNNPACK's fast path; per-tap
 * slice·dy sums copy x k² times).
 */
export function depthwiseFilterGradLoop(
  backend: HeapBackend & DisposingBackend, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry,
): tf.TensorInfo {
  const P = wasmPrims(backend);
  const [n, inH, inW, C] = x.shape;
  const [, outH, outW] = dy.shape;
  const { filterHeight: KH, filterWidth: KW } = g;
  const [sH, sW] = g.strides;
  const [dH, dW] = g.dilations;
  const [top, , left] = g.pads;
  // Pad so every tap read is in bounds; rows past what the taps reach are never read.
  const bottom = Math.max(0, (outH - 1) * sH + (KH - 1) * dH + 1 - inH - top);
  const right = Math.max(0, (outW - 1) * sW + (KW - 1) * dW + 1 - inW - left);
  const padded = top || bottom || left || right ? P.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const xT = P.transpose(padded, [3, 0, 1, 2]);
  if (padded !== x) P.dispose(padded);
  const dyT = P.transpose(dy, [3, 0, 1, 2]);
  const out = backend.makeOutput([KH, KW, C, 1], 'float32');
  // Views after the last allocation: a malloc may grow the heap and detach earlier views.
  const xs = backend.typedArrayFromHeap(xT) as Float32Array;
  const gs = backend.typedArrayFromHeap(dyT) as Float32Array;
  const result = backend.typedArrayFromHeap(out) as Float32Array;
  const Hp = inH + top + bottom;
  const Wp = inW + left + right;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        let acc = 0;
        for (let b = 0; b < n; b++) {
          const xPlane = (c * n + b) * Hp * Wp + kh * dH * Wp + kw * dW;
          const gPlane = (c * n + b) * outH * outW;
          for (let oh = 0; oh < outH; oh++) {
            const xRow = xPlane + oh * sH * Wp;
            const gRow = gPlane + oh * outW;
            for (let ow = 0; ow < outW; ow++) acc += xs[xRow + ow * sW] * gs[gRow + ow];
          }
        }
        result[(kh * KW + kw) * C + c] = acc;
      }
    }
  }
  P.dispose(xT);
  P.dispose(dyT);
  return out;
}
