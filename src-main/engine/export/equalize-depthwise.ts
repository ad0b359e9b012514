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
 * The rescaling is not free for int8: the depthwise output shares one activation scale across channels,
 * and the pointwise weights of one output channel share one weight scale. With `channelRanges` (max |y|
 * per channel of each depthwise output over the calibration inputs) a layer is rescaled only when the
 * estimated quantisation noise at the convolutions' outputs does not grow (see `noise`), and only when
 * at least two layers of its width qualify (otherwise nothing is shared and nothing saved).
 * Returns a new graph; the ops it changes are copies (the caller's graph, shared with the float export,
 * is left alone).
 */
export function equalizeDepthwise(graph: ExportGraph, channelRanges?: Map<number, Float64Array>): ExportGraph {
  const ops = graph.ops.map((o) => o);
  const readers = (id: number): number[] => ops.flatMap((o, i) => (o.inputs.includes(id) ? [i] : []));
  const candidates: { d: number; users: number[]; r: number[] }[] = [];
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
    const ranges = channelRanges?.get(dw.output);
    if (ranges && !users.every((u) => noise(ops[u] as ConvOp, ranges, r) <= noise(ops[u] as ConvOp, ranges, undefined))) continue;
    candidates.push({ d, users, r });
  }
  // Only a width with two or more such layers gains anything (one layer still needs its own vector).
  const perWidth = new Map<number, number>();
  for (const c of candidates) perWidth.set(c.r.length, (perWidth.get(c.r.length) ?? 0) + 1);
  for (const { d, users, r } of candidates) {
    if (perWidth.get(r.length)! < 2) continue;
    const dw = ops[d] as Extract<ExportOp, { kind: 'depthwise' }>;
    ops[d] = { ...dw, kernel: dw.kernel.map((w, i) => w / r[i % r.length]), bias: dw.bias.map((b, c) => b / r[c]) };
    // Each convolution reads one tensor, so the users of different depthwise layers never overlap.
    for (const u of users) {
      const conv = ops[u] as ConvOp;
      const [, , cin, cout] = conv.kernelShape;
      ops[u] = { ...conv, kernel: conv.kernel.map((w, i) => w * r[Math.floor(i / cout) % cin]) };
    }
  }
  return { ...graph, ops };
}

type ConvOp = Extract<ExportOp, { kind: 'conv2d' }>;

/**
 * Relative int8 noise at a convolution's outputs when its input channel c (magnitude ranges[c]) is
 * divided by r[c] and its weights for c multiplied by r[c] (r undefined: as is). Per output channel o:
 * weight rounding (step ∝ max_c |w_oc|) times the input energy Σ_c x_c², plus input rounding (step ∝
 * max_c x_c, one scale per tensor) times Σ_c w_oc². Summed over o; constants cancel in the comparison.
 */
function noise(conv: ConvOp, ranges: Float64Array, r: number[] | undefined): number {
  const [kh, kw, cin, cout] = conv.kernelShape;
  const x = Array.from({ length: cin }, (_, c) => ranges[c] / (r ? r[c] : 1));
  const xMax = Math.max(...x);
  const xEnergy = x.reduce((s, v) => s + v * v, 0);
  let total = 0;
  for (let o = 0; o < cout; o++) {
    let wMax = 0;
    let wEnergy = 0;
    for (let k = 0; k < kh * kw; k++) {
      for (let c = 0; c < cin; c++) {
        const w = conv.kernel[(k * cin + c) * cout + o] * (r ? r[c] : 1);
        wMax = Math.max(wMax, Math.abs(w));
        wEnergy += w * w;
      }
    }
    total += wMax * wMax * xEnergy + xMax * xMax * wEnergy;
  }
  return total;
}
