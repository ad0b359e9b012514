import type * as tf from '@tensorflow/tfjs';
import { sizeOf, type ExportGraph } from './export-graph.js';

/**
 * What a derived model costs on a device: parameters, multiply-accumulates per layer, bytes per export
 * format, and the peak activation memory of a single inference (batch 1).
 */

export interface LayerCost {
  /** Export-graph op name: fused layers are joined with "+" (e.g. "conv+bn+relu"). */
  name: string;
  kind: string;
  outputShape: number[];
  params: number;
  macs: number;
}

export interface ModelReport {
  /** Trainable and non-trainable parameters of the tfjs model (batch-norm statistics included). */
  params: number;
  /** Parameters after batch-norm folding, as deployed. */
  deployedParams: number;
  macs: number;
  layers: LayerCost[];
  peakActivationBytes: { float32: number; int8: number };
  bytesPerFormat: Record<string, number>;
  metricBefore?: number;
  metricAfterInt8?: number;
}

export function layerCosts(graph: ExportGraph): LayerCost[] {
  return graph.ops.map((o) => {
    const out = graph.tensors.get(o.output)!.shape;
    const outSpatial = out.length === 3 ? out[0] * out[1] : 1;
    let params = 0;
    let macs = 0;
    switch (o.kind) {
      case 'conv2d': {
        const [kh, kw, cin, cout] = o.kernelShape;
        params = o.kernel.length + o.bias.length;
        macs = outSpatial * cout * kh * kw * cin;
        break;
      }
      case 'depthwise': {
        const [kh, kw, cin, mult] = o.kernelShape;
        params = o.kernel.length + o.bias.length;
        macs = outSpatial * cin * mult * kh * kw;
        break;
      }
      case 'dense':
        params = o.kernel.length + o.bias.length;
        macs = o.kernelShape[0] * o.kernelShape[1];
        break;
      case 'scaleShift':
        params = 2 * o.scale.length;
        macs = sizeOf(out);
        break;
      default:
        break;
    }
    return { name: o.name, kind: o.kind, outputShape: out, params, macs };
  });
}

/**
 * Peak bytes of live activations for one inference: ops run in graph order, an op's inputs and output
 * are live together, and a tensor is freed after its last consumer (the graph output never is).
 */
export function peakActivationBytes(graph: ExportGraph, bytesPerElement: number): number {
  const lastUse = new Map<number, number>();
  graph.ops.forEach((o, i) => o.inputs.forEach((t) => lastUse.set(t, i)));
  const bytes = (id: number): number => sizeOf(graph.tensors.get(id)!.shape) * bytesPerElement;
  const live = new Set<number>([graph.input]);
  let current = bytes(graph.input);
  let peak = current;
  graph.ops.forEach((o, i) => {
    live.add(o.output);
    current += bytes(o.output);
    peak = Math.max(peak, current);
    for (const t of new Set(o.inputs)) {
      if (lastUse.get(t) === i && t !== graph.output && live.delete(t)) current -= bytes(t);
    }
  });
  return peak;
}

export function modelReport(
  model: tf.LayersModel,
  graph: ExportGraph,
  extra: { bytesPerFormat?: Record<string, number>; metricBefore?: number; metricAfterInt8?: number } = {},
): ModelReport {
  const layers = layerCosts(graph);
  return {
    params: model.countParams(),
    deployedParams: layers.reduce((s, l) => s + l.params, 0),
    macs: layers.reduce((s, l) => s + l.macs, 0),
    layers,
    peakActivationBytes: { float32: peakActivationBytes(graph, 4), int8: peakActivationBytes(graph, 1) },
    bytesPerFormat: extra.bytesPerFormat ?? {},
    metricBefore: extra.metricBefore,
    metricAfterInt8: extra.metricAfterInt8,
  };
}
