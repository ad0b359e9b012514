import * as tf from '@tensorflow/tfjs';
import type { ExportGraph } from './export-graph.js';
import { runExportGraph } from './export-graph-run.js';

/**
 * Full-integer int8 quantisation parameters (the TFLite int8 scheme):
 * activations per-tensor asymmetric int8, real = scale * (q - zeroPoint), ranges from min/max over the
 * calibration set (widened to include 0 so zero is exact, which zero padding needs);
 * weights symmetric int8 in [-127, 127], zeroPoint 0, one scale per output channel; bias int32 with
 * scale inputScale * weightScale[c].
 */

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export type ActivationRanges = Map<number, { min: number; max: number }>;

/** Min/max of every graph tensor over the calibration inputs, computed in chunks to bound memory. */
export function calibrate(graph: ExportGraph, calibration: tf.Tensor, chunk = 32): ActivationRanges {
  const ranges: ActivationRanges = new Map();
  const n = calibration.shape[0];
  for (let start = 0; start < n; start += chunk) {
    tf.tidy(() => {
      const x = calibration.slice(start, Math.min(chunk, n - start));
      runExportGraph(graph, x, (id, value) => {
        const min = value.min().dataSync()[0];
        const max = value.max().dataSync()[0];
        const r = ranges.get(id);
        ranges.set(id, r ? { min: Math.min(r.min, min), max: Math.max(r.max, max) } : { min, max });
      });
    });
  }
  return ranges;
}

/**
 * Per-channel max |value| (last axis) of the given graph tensors over the calibration inputs; used to
 * judge how a rescaling of channels changes their share of a per-tensor int8 range.
 */
export function calibrateChannels(graph: ExportGraph, calibration: tf.Tensor, ids: Set<number>, chunk = 32): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  const n = calibration.shape[0];
  for (let start = 0; start < n; start += chunk) {
    tf.tidy(() => {
      const x = calibration.slice(start, Math.min(chunk, n - start));
      runExportGraph(graph, x, (id, value) => {
        if (!ids.has(id)) return;
        const m = value.abs().reshape([-1, value.shape[value.rank - 1]]).max(0).dataSync();
        const acc = out.get(id) ?? new Float64Array(m.length);
        for (let c = 0; c < m.length; c++) acc[c] = Math.max(acc[c], m[c]);
        out.set(id, acc);
      });
    });
  }
  return out;
}

export function activationParams(min: number, max: number): QuantParams {
  const lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (hi - lo < 1e-8) hi = lo + 1e-8;
  const scale = (hi - lo) / 255;
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

export function quantizeValue(x: number, p: QuantParams): number {
  return Math.max(-128, Math.min(127, Math.round(x / p.scale) + p.zeroPoint));
}

export function quantizeArray(values: ArrayLike<number>, p: QuantParams): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i], p);
  return out;
}

export function dequantizeArray(values: ArrayLike<number>, p: QuantParams): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - p.zeroPoint) * p.scale;
  return out;
}

/**
 * Symmetric per-channel int8 weights. `channelOf(i)` gives the output channel of flat index i.
 * A channel that is all zeros gets scale 1 (any scale represents it exactly).
 */
export function quantizeWeightsPerChannel(weights: Float32Array, channels: number, channelOf: (i: number) => number): { q: Int8Array; scales: number[] } {
  const maxAbs = new Array<number>(channels).fill(0);
  for (let i = 0; i < weights.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(weights[i]));
  const scales = maxAbs.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(weights[i] / scales[channelOf(i)])));
  return { q, scales };
}

export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: number[]): Int32Array {
  const q = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const s = inputScale * weightScales[weightScales.length === 1 ? 0 : c];
    q[c] = Math.max(-2147483647, Math.min(2147483647, Math.round(bias[c] / s)));
  }
  return q;
}
