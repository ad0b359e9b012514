import type { Layers, Sym } from './derived-layers.js';

/**
 * The derived forms of the candidate ops: the stock layers a chosen op becomes in the retrained model.
 * Each sits beside its supernet form in the op table (registry.ts); test/engine/ops/op-agreement.test.ts
 * checks the two compute the same with the same weights. Semantics of quark0/darts operations.py and
 * NAS-Bench-201's cell_operations.py.
 */

/** (layers, input, cIn, cOut, stride, layer-name prefix) → output, or null for "none" (a zero contribution). */
export type DerivedOpBuilder = (L: Layers, x: Sym, cIn: number, cOut: number, stride: number, name: string) => Sym | null;

/** DARTS FactorizedReduce: ReLU, two stride-2 1×1 convs (on x and on x shifted by a pixel), concat, BN. */
export function factorizedReduce(L: Layers, x: Sym, cOut: number, name: string): Sym {
  const r = L.relu(x, `${name}_relu`);
  const half = Math.floor(cOut / 2);
  const a = L.conv(r, half, 1, 2, `${name}_conv1`);
  const b = L.conv(L.shift(r, `${name}_shift`), cOut - half, 1, 2, `${name}_conv2`);
  return L.bn(L.concat([a, b], `${name}_concat`), `${name}_bn`);
}

export function reluConvBn(L: Layers, x: Sym, cOut: number, k: number, stride: number, name: string): Sym {
  return L.bn(L.conv(L.relu(x, `${name}_relu`), cOut, k, stride, `${name}_conv`), `${name}_bn`);
}

export const derivedNone: DerivedOpBuilder = () => null;

export const derivedPool =
  (kind: 'max' | 'avg', k = 3): DerivedOpBuilder =>
  (L, x, _cIn, _cOut, stride, name) =>
    L.pool(x, kind, k, stride, `${name}_pool`);

/** skip_connect: identity at stride 1, FactorizedReduce at stride 2, a 1×1 ReLU-conv-BN where only channels change. */
export const derivedSkip: DerivedOpBuilder = (L, x, cIn, cOut, stride, name) => {
  if (stride === 1 && cIn === cOut) return x;
  if (stride === 1) return reluConvBn(L, x, cOut, 1, 1, name);
  return factorizedReduce(L, x, cOut, name);
};

/** ReLU → conv k×k → BN (NB201's nor_conv, the HAR conv_k). */
export const derivedReluConvBn =
  (k: number): DerivedOpBuilder =>
  (L, x, _cIn, cOut, stride, name) =>
    reluConvBn(L, x, cOut, k, stride, name);

/** sep_conv: two stacked ReLU → depthwise → pointwise → BN; only the first strided. */
export const derivedSepConv =
  (k: number): DerivedOpBuilder =>
  (L, x, cIn, cOut, stride, name) => {
    let y = x;
    for (const i of [1, 2]) {
      y = L.relu(y, `${name}_relu${i}`);
      y = L.depthwise(y, k, i === 1 ? stride : 1, `${name}_dw${i}`);
      y = L.conv(y, i === 1 ? cIn : cOut, 1, 1, `${name}_pw${i}`);
      y = L.bn(y, `${name}_bn${i}`);
    }
    return y;
  };

/**
 * dil_conv: ReLU → depthwise dilated 2 → pointwise → BN, as one stock SeparableConv2D at stride 1. tfjs
 * refuses stride > 1 with dilation > 1: a stride-2 dilation-2 conv equals an undilated conv of x[::2, ::2].
 */
export const derivedDilConv =
  (k: number): DerivedOpBuilder =>
  (L, x, _cIn, cOut, stride, name) => {
    const y = L.relu(x, `${name}_relu`);
    if (stride === 1) return L.bn(L.separable(y, cOut, k, 2, `${name}_sep`), `${name}_bn`);
    const dw = L.depthwise(L.subsample(y, `${name}_subsample`), k, 1, `${name}_dw`);
    return L.bn(L.conv(dw, cOut, 1, 1, `${name}_pw`), `${name}_bn`);
  };

/** NB201's avg_pool_3x3: a 1×1 ReLU-conv-BN first when channels change, then the pool. */
export const derivedNb201AvgPool: DerivedOpBuilder = (L, x, cIn, cOut, stride, name) =>
  L.pool(cIn === cOut ? x : reluConvBn(L, x, cOut, 1, 1, `${name}_pre`), 'avg', 3, stride, `${name}_pool`);
