import * as tf from '@tensorflow/tfjs';
import { depthwiseInputGrad } from './conv-grad-math.js';
import { simdGradKernels } from './simd/grad-kernels.js';
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

/** Output columns whose tap kw lands inside the input: 0 <= ow*stride - pad + k < size. */
function tapColumns(outSize: number, size: number, stride: number, pad: number, k: number): [number, number] {
  const start = Math.max(0, Math.ceil((pad - k) / stride));
  const end = Math.min(outSize, Math.floor((size - 1 + pad - k) / stride) + 1);
  return [start, Math.max(start, end)];
}

/**
 * MaxPoolGrad with the forward output y (tfjs saves it for this gradient): a window's argmax is its first
 * tap, in row-major window order, whose x equals y, which is cpu's rule (first strict maximum). Tap by tap
 * over whole output rows, so the inner loop walks contiguous NHWC runs of x, y and dy with a per-row mask
 * of windows already served; that loop is the SIMD maxPoolTap of simd/grad-kernels.wat (measured ~20x
 * faster than a running maximum per window in JS), or the same loop in JS without wasm SIMD.
 */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const wasm = backend as unknown as WasmBackend;
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const { top, left } = info.padInfo;
  const simd = simdGradKernels(backend);
  const out = wasm.makeOutput(input.shape, 'float32');
  const maskInfo = wasm.makeOutput([OW * C], 'float32');
  // Views after the last makeOutput: a malloc may grow the heap and detach earlier views.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const y = wasm.typedArrayFromHeap(output) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  const mask = new Int32Array(x.buffer, wasm.typedArrayFromHeap(maskInfo).byteOffset, OW * C);
  dx.fill(0);
  const columns = Array.from({ length: KW }, (_, kw) => tapColumns(OW, W, sW, left, kw));
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      mask.fill(0);
      const yRow = (b * OH + oh) * OW * C;
      for (let kh = 0; kh < KH; kh++) {
        const h = oh * sH - top + kh;
        if (h < 0 || h >= H) continue;
        const xRow = (b * H + h) * W * C;
        for (let kw = 0; kw < KW; kw++) {
          const [owStart, owEnd] = columns[kw];
          const xi = xRow + (owStart * sW - left + kw) * C;
          const yi = yRow + owStart * C;
          if (simd) {
            simd.maxPoolTap(x.byteOffset + xi * 4, y.byteOffset + yi * 4, g.byteOffset + yi * 4, dx.byteOffset - x.byteOffset,
              mask.byteOffset + owStart * C * 4, owEnd - owStart, sW * C * 4, C);
          } else {
            maxPoolTapLoop(x, y, g, dx, mask, xi, yi, owStart * C, owEnd - owStart, sW * C, C);
          }
        }
      }
    }
  }
  wasm.disposeData(maskInfo.dataId);
  return out;
};

function maxPoolTapLoop(
  x: Float32Array, y: Float32Array, g: Float32Array, dx: Float32Array, mask: Int32Array,
  xi: number, yi: number, m: number, cols: number, xStep: number, C: number,
): void {
  for (let col = 0; col < cols; col++) {
    for (let c = 0; c < C; c++) {
      if (mask[m + c] === 0 && x[xi + c] === y[yi + c]) {
        dx[xi + c] += g[yi + c];
        mask[m + c] = -1;
      }
    }
    xi += xStep;
    yi += C;
    m += C;
  }
}

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
