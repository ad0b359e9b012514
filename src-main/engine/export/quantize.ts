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

/**
 * Runs the export graph over the calibration inputs in chunks (bounding memory) and reads, once per chunk
 * with an awaited read (a GPU backend has no synchronous one), what `statistic` makes of each tensor it keeps.
 */
async function overChunks(
  graph: ExportGraph,
  calibration: tf.Tensor,
  chunk: number,
  statistic: (id: number, value: tf.Tensor) => tf.Tensor | undefined,
  take: (id: number, values: Float32Array) => void,
): Promise<void> {
  const n = calibration.shape[0];
  for (let start = 0; start < n; start += chunk) {
    const ids: number[] = [];
    const sizes: number[] = [];
    // The graph's run disposes every tensor made inside it, so the statistics are kept until joined.
    const parts: tf.Tensor[] = [];
    const flat = tf.tidy(() => {
      runExportGraph(graph, calibration.slice(start, Math.min(chunk, n - start)), (id, value) => {
        const s = statistic(id, value);
        if (!s) return;
        ids.push(id);
        sizes.push(s.size);
        parts.push(tf.keep(s.flatten()));
      });
      return parts.length ? tf.concat(parts) : tf.zeros([0]);
    });
    tf.dispose(parts);
    const values = (await flat.data()) as Float32Array;
    flat.dispose();
    let offset = 0;
    ids.forEach((id, k) => {
      take(id, values.subarray(offset, offset + sizes[k]));
      offset += sizes[k];
    });
  }
}

/** Min/max of every graph tensor over the calibration inputs. */
export async function calibrate(graph: ExportGraph, calibration: tf.Tensor, chunk = 32): Promise<ActivationRanges> {
  const ranges: ActivationRanges = new Map();
  await overChunks(
    graph,
    calibration,
    chunk,
    (_id, value) => tf.stack([value.min(), value.max()]),
    (id, [min, max]) => {
      const r = ranges.get(id);
      ranges.set(id, r ? { min: Math.min(r.min, min), max: Math.max(r.max, max) } : { min, max });
    },
  );
  return ranges;
}

/**
 * Per-channel max |value| (last axis) of the given graph tensors over the calibration inputs; used to
 * judge how a rescaling of channels changes their share of a per-tensor int8 range.
 */
export async function calibrateChannels(graph: ExportGraph, calibration: tf.Tensor, ids: Set<number>, chunk = 32): Promise<Map<number, Float64Array>> {
  const out = new Map<number, Float64Array>();
  await overChunks(
    graph,
    calibration,
    chunk,
    (id, value) => (ids.has(id) ? value.abs().reshape([-1, value.shape[value.rank - 1]]).max(0) : undefined),
    (id, m) => {
      const acc = out.get(id) ?? new Float64Array(m.length);
      for (let c = 0; c < m.length; c++) acc[c] = Math.max(acc[c], m[c]);
      out.set(id, acc);
    },
  );
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
