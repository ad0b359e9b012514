/**
 * Convolution gradients written as FORWARD convolutions, over a small set of primitives so the
 * same math runs on raw wasm kernels (fast, no engine overhead) and on tf ops (any backend).
 *
 * Forward (NHWC): y[n,oh,ow,o] = sum_{kh,kw,i} x[n, oh*s - padTop + kh*d, ow*s - padLeft + kw*d, i] * w[kh,kw,i,o]
 *  - filter gradient: correlate x with dy, i.e. a conv over x as [Cin,H,W,N] with dy as an [OH,OW,N,Cout]
 *    filter, conv stride = d and conv dilation = s;
 *  - input gradient: a full conv of dy (zero-inserted when s > 1) with the flipped filter, dilation d.
 */

export type Pair = [number, number];

/** Explicit pads [top, bottom, left, right]; negative values crop the input. */
export type Pads4 = [number, number, number, number];

export interface ConvPrims<T> {
  shape(t: T): number[];
  conv2d(x: T, filter: T, strides: Pair, dilations: Pair, pads: Pads4): T;
  depthwise(x: T, filter: T, strides: Pair, dilations: Pair, pads: Pads4): T;
  transpose(x: T, perm: number[]): T;
  reshape(x: T, shape: number[]): T;
  pad(x: T, paddings: Array<[number, number]>): T;
  slice(x: T, begin: number[], size: number[]): T;
  reverse(x: T, axes: number[]): T;
  sum(x: T, axes: number[]): T;
  dispose(t: T): void;
}

/** Geometry of one forward conv, as the gradients need it. */
export interface ConvGeometry {
  strides: Pair;
  dilations: Pair;
  /** top, bottom, left, right pads of the forward conv. */
  pads: Pads4;
  filterHeight: number;
  filterWidth: number;
}

export type ConvKind = 'conv2d' | 'depthwise';

/** A forward conv with explicit pads; negative pads crop the input first (valid padding can leave rows unused). */
export function convWithPads<T>(P: ConvPrims<T>, kind: ConvKind, x: T, filter: T, strides: Pair, dilations: Pair, pads: Pads4): T {
  const [top, bottom, left, right] = pads;
  let input = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = P.shape(x);
    const cropTop = Math.max(0, -top);
    const cropLeft = Math.max(0, -left);
    const keepH = h - cropTop - Math.max(0, -bottom);
    const keepW = w - cropLeft - Math.max(0, -right);
    input = P.slice(x, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]);
  }
  const safe: Pads4 = [Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)];
  const out = kind === 'conv2d'
    ? P.conv2d(input, filter, strides, dilations, safe)
    : P.depthwise(input, filter, strides, dilations, safe);
  if (input !== x) P.dispose(input);
  return out;
}

/** dy [N,OH,OW,C] with (s-1) zeros after every row and column: [N, OH*sH, OW*sW, C]. */
function zeroInsert<T>(P: ConvPrims<T>, dy: T, strides: Pair): T {
  const [sH, sW] = strides;
  if (sH === 1 && sW === 1) return dy;
  const [n, oh, ow, c] = P.shape(dy);
  // Two rank-4 pads (every kernel supports rank 4): first widen columns, then rows.
  const cols = P.reshape(dy, [n * oh, ow, 1, c]);
  const colsPadded = P.pad(cols, [[0, 0], [0, 0], [0, sW - 1], [0, 0]]);
  P.dispose(cols);
  const rows = P.reshape(colsPadded, [n, oh, 1, ow * sW * c]);
  P.dispose(colsPadded);
  const rowsPadded = P.pad(rows, [[0, 0], [0, 0], [0, sH - 1], [0, 0]]);
  P.dispose(rows);
  const out = P.reshape(rowsPadded, [n, oh * sH, ow * sW, c]);
  P.dispose(rowsPadded);
  return out;
}

/** Pads for the full conv that maps zero-inserted dy back onto the input grid. */
function inputGradPads(g: ConvGeometry, inH: number, inW: number, zH: number, zW: number): Pads4 {
  const [dH, dW] = g.dilations;
  const [top, , left] = g.pads;
  const top2 = (g.filterHeight - 1) * dH - top;
  const left2 = (g.filterWidth - 1) * dW - left;
  // Output size (stride 1) = z + top2 + bottom2 - (k-1)*d = in.
  return [top2, inH - zH + top, left2, inW - zW + left];
}

/** Pads that make a conv of x (stride d, dilation s) with the dy filter produce exactly k×k outputs. */
function filterGradPads(g: ConvGeometry, inH: number, inW: number, outH: number, outW: number): Pads4 {
  const [sH, sW] = g.strides;
  const [dH, dW] = g.dilations;
  const [top, , left] = g.pads;
  const bottom = (g.filterHeight - 1) * dH + (outH - 1) * sH + 1 - inH - top;
  const right = (g.filterWidth - 1) * dW + (outW - 1) * sW + 1 - inW - left;
  return [top, bottom, left, right];
}

/** dL/dfilter of conv2d: x [N,H,W,Ci], dy [N,OH,OW,Co] → [KH,KW,Ci,Co]. */
export function conv2dFilterGrad<T>(P: ConvPrims<T>, x: T, dy: T, g: ConvGeometry): T {
  const [, inH, inW] = P.shape(x);
  const [, outH, outW] = P.shape(dy);
  const xT = P.transpose(x, [3, 1, 2, 0]);
  const dyT = P.transpose(dy, [1, 2, 0, 3]);
  const pads = filterGradPads(g, inH, inW, outH, outW);
  const out = convWithPads(P, 'conv2d', xT, dyT, g.dilations, g.strides, pads);
  P.dispose(xT);
  P.dispose(dyT);
  const dw = P.transpose(out, [1, 2, 0, 3]);
  P.dispose(out);
  return dw;
}

/** dL/dx of conv2d: dy [N,OH,OW,Co], filter [KH,KW,Ci,Co] → [N,H,W,Ci]. */
export function conv2dInputGrad<T>(P: ConvPrims<T>, dy: T, filter: T, inputShape: number[], g: ConvGeometry): T {
  const z = zeroInsert(P, dy, g.strides);
  const [, zH, zW] = P.shape(z);
  const flipped = P.reverse(filter, [0, 1]);
  const flippedT = P.transpose(flipped, [0, 1, 3, 2]);
  P.dispose(flipped);
  const pads = inputGradPads(g, inputShape[1], inputShape[2], zH, zW);
  const dx = convWithPads(P, 'conv2d', z, flippedT, [1, 1], g.dilations, pads);
  P.dispose(flippedT);
  if (z !== dy) P.dispose(z);
  return dx;
}

/**
 * dL/dfilter of a depthwise conv (channel multiplier 1): x [N,H,W,C], dy [N,OH,OW,C] → [KH,KW,C,1].
 * One depthwise conv over x as a [1,H,W,N*C] image with dy as an [OH,OW,N*C,1] filter, then a sum over N.
 */
export function depthwiseFilterGrad<T>(P: ConvPrims<T>, x: T, dy: T, g: ConvGeometry): T {
  const [n, inH, inW, c] = P.shape(x);
  const [, outH, outW] = P.shape(dy);
  const xT = P.transpose(x, [1, 2, 0, 3]);
  const xImage = P.reshape(xT, [1, inH, inW, n * c]);
  P.dispose(xT);
  const dyT = P.transpose(dy, [1, 2, 0, 3]);
  const dyFilter = P.reshape(dyT, [outH, outW, n * c, 1]);
  P.dispose(dyT);
  const pads = filterGradPads(g, inH, inW, outH, outW);
  const perSample = convWithPads(P, 'depthwise', xImage, dyFilter, g.dilations, g.strides, pads);
  P.dispose(xImage);
  P.dispose(dyFilter);
  const split = P.reshape(perSample, [g.filterHeight, g.filterWidth, n, c]);
  P.dispose(perSample);
  const summed = P.sum(split, [2]);
  P.dispose(split);
  const dw = P.reshape(summed, [g.filterHeight, g.filterWidth, c, 1]);
  P.dispose(summed);
  return dw;
}

/** dL/dx of a depthwise conv (channel multiplier 1): dy [N,OH,OW,C], filter [KH,KW,C,1] → [N,H,W,C]. */
export function depthwiseInputGrad<T>(P: ConvPrims<T>, dy: T, filter: T, inputShape: number[], g: ConvGeometry): T {
  const z = zeroInsert(P, dy, g.strides);
  const [, zH, zW] = P.shape(z);
  const flipped = P.reverse(filter, [0, 1]);
  const pads = inputGradPads(g, inputShape[1], inputShape[2], zH, zW);
  const dx = convWithPads(P, 'depthwise', z, flipped, [1, 1], g.dilations, pads);
  P.dispose(flipped);
  if (z !== dy) P.dispose(z);
  return dx;
}
