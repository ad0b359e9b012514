import type { ExportGraph, ExportOp } from './export-graph.js';

/**
 * Rescales depthwise channels before int8 quantisation so every depthwise kernel channel has max |w| = 1,
 * moving the factor into the convolutions that read the channel (cross-layer scaling, Nagel et al. 2019,
 * "Data-Free Quantization"). The float function is unchanged: the depthwise op must be linear (no fused
 * ReLU) and feed only convolutions, so y = dw(x)·(1/r) followed by conv(w·r) computes the same thing.
 *
 * Why: each depthwise channel still gets its own per-channel scale (max |w| / 127, the same grid relative
 * to its range as before), but the scales of all channels, and of all depthwise layers of one width, are
 * now one value, so the writer stores one scale vector per width instead of one per layer.
 * Returns a new graph; the ops it changes are copies (the caller's graph, shared with the float export,
 * is left alone).
 */
export function equalizeDepthwise(graph: ExportGraph): ExportGraph {
  const ops = graph.ops.map((o) => o);
  const readers = (id: number): number[] => ops.flatMap((o, i) => (o.inputs.includes(id) ? [i] : []));
  for (let d = 0; d < ops.length; d++) {
    const dw = ops[d];
    if (dw.kind !== 'depthwise' || dw.activation !== 'linear' || dw.output === graph.output) continue;
    const users = readers(dw.output);
    if (users.length === 0 || !users.every((u) => ops[u].kind === 'conv2d')) continue;
    const channels = dw.kernelShape[2] * dw.kernelShape[3];
    const maxAbs = new Float64Array(channels);
    for (let i = 0; i < dw.kernel.length; i++) maxAbs[i % channels] = Math.max(maxAbs[i % channels], Math.abs(dw.kernel[i]));
    // A channel of zeros stays as it is (r = 1).
    const r = Array.from(maxAbs, (m) => (m > 0 ? m : 1));
    const kernel = dw.kernel.map((w, i) => w / r[i % channels]);
    const bias = dw.bias.map((b, c) => b / r[c]);
    ops[d] = { ...dw, kernel, bias };
    for (const u of users) {
      const conv = ops[u] as Extract<ExportOp, { kind: 'conv2d' }>;
      const [, , cin, cout] = conv.kernelShape;
      ops[u] = { ...conv, kernel: conv.kernel.map((w, i) => w * r[Math.floor(i / cout) % cin]) };
    }
  }
  return { ...graph, ops };
}
