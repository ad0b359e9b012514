import type * as tf from '@tensorflow/tfjs';
import { convWithPads, type ConvGeometry, type ConvKind } from './conv-grad-math.js';
import type { HeapBackend } from './wasm-heap.js';
import { wasmPrims, type DisposingBackend } from './wasm-prims.js';

/**
 * Input gradient of a strided conv2d or depthwise conv, split by output phase ("sub-pixel"): the input rows with
 * h ≡ r (mod s) only ever meet the filter taps k ≡ (r + padTop) (mod s), so each of the s×s phases is a
 * stride-1 conv of dy (not zero-inserted) with that sub-filter, flipped. That is s² times fewer
 * multiply-adds than convolving the zero-inserted dy; one pass interleaves the phases into dx.
 */

interface AxisPhase {
  /** first tap of the sub-filter */ tap: number;
  /** taps in the sub-filter */ taps: number;
  /** input rows in this phase */ rows: number;
  padBefore: number;
  padAfter: number;
}

function axisPhase(r: number, stride: number, pad: number, kernel: number, inSize: number, outSize: number): AxisPhase {
  const tap = (r + pad) % stride;
  const taps = tap < kernel ? Math.ceil((kernel - tap) / stride) : 0;
  const offset = (r + pad - tap) / stride;
  const rows = Math.ceil((inSize - r) / stride);
  const padBefore = taps - 1 - offset;
  return { tap, taps, rows, padBefore, padAfter: rows - outSize - padBefore + taps - 1 };
}

export function convInputGradSubPixel(
  kind: ConvKind, backend: HeapBackend & DisposingBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, inputShape: number[], g: ConvGeometry,
): tf.TensorInfo {
  const P = wasmPrims(backend);
  const [n, H, W, ci] = inputShape;
  const [KH, KW, , filterOut] = filter.shape;
  const [, OH, OW] = dy.shape;
  const [sH, sW] = g.strides;
  const [top, , left] = g.pads;
  const phases: { rh: number; rw: number; rows: number; cols: number; out: tf.TensorInfo }[] = [];
  for (let rh = 0; rh < sH; rh++) {
    for (let rw = 0; rw < sW; rw++) {
      const ph = axisPhase(rh, sH, top, KH, H, OH);
      const pw = axisPhase(rw, sW, left, KW, W, OW);
      if (ph.rows <= 0 || pw.rows <= 0 || ph.taps === 0 || pw.taps === 0) continue;
      const sub = P.stridedSlice(filter, [ph.tap, pw.tap, 0, 0], [KH, KW, ci, filterOut], [sH, sW, 1, 1]);
      const flipped = P.reverse(sub, [0, 1]);
      P.dispose(sub);
      // conv2d maps Co back to Ci (transposed filter); a depthwise filter [k,k,C,1] stays as it is.
      const subFilter = kind === 'conv2d' ? P.transpose(flipped, [0, 1, 3, 2]) : flipped;
      if (subFilter !== flipped) P.dispose(flipped);
      const out = convWithPads(P, kind, dy, subFilter, [1, 1], [1, 1], [ph.padBefore, ph.padAfter, pw.padBefore, pw.padAfter]);
      P.dispose(subFilter);
      phases.push({ rh, rw, rows: ph.rows, cols: pw.rows, out });
    }
  }
  const dx = backend.makeOutput([n, H, W, ci], 'float32');
  // Views after the last allocation: a malloc may grow the heap and detach earlier views.
  const target = backend.typedArrayFromHeap(dx) as Float32Array;
  if (phases.length < sH * sW) target.fill(0);
  for (const { rh, rw, rows, cols, out } of phases) {
    const src = backend.typedArrayFromHeap(out) as Float32Array;
    let s = 0;
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < rows; q++) {
        const rowBase = (b * H + q * sH + rh) * W;
        for (let p = 0; p < cols; p++) {
          let d = (rowBase + p * sW + rw) * ci;
          for (let c = 0; c < ci; c++) target[d++] = src[s++];
        }
      }
    }
    P.dispose(out);
  }
  return dx;
}
