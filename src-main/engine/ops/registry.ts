import type { SpaceName } from '../space/space.types.js';
import {
  chainSkipOp,
  dilConvOp,
  invertedResidualOp,
  nb201AvgPoolOp,
  noneOp,
  poolOp,
  reluConvBnOp,
  sepConvOp,
  skipOp,
} from './candidate.ops.js';
import type { OpRegistry } from './op.types.js';

export const DARTS_OPS: OpRegistry = {
  none: noneOp,
  max_pool_3x3: poolOp('max'),
  avg_pool_3x3: poolOp('avg'),
  skip_connect: skipOp,
  sep_conv_3x3: sepConvOp(3),
  sep_conv_5x5: sepConvOp(5),
  dil_conv_3x3: dilConvOp(3),
  dil_conv_5x5: dilConvOp(5),
};

export const NB201_OPS: OpRegistry = {
  none: noneOp,
  skip_connect: skipOp,
  nor_conv_1x1: reluConvBnOp(1),
  nor_conv_3x3: reluConvBnOp(3),
  avg_pool_3x3: nb201AvgPoolOp,
};

/** 1-D ops: the same builders; `dims: 1` turns every k×k into 1×k over a [B, 1, T, C] window. */
export const HAR_OPS: OpRegistry = {
  none: noneOp,
  max_pool_3: poolOp('max'),
  avg_pool_3: poolOp('avg'),
  skip_connect: skipOp,
  conv_3: reluConvBnOp(3),
  conv_5: reluConvBnOp(5),
  conv_7: reluConvBnOp(7),
  dil_conv_3: dilConvOp(3),
  sep_conv_3: sepConvOp(3),
  sep_conv_5: sepConvOp(5),
};

export const CHAIN_OPS: OpRegistry = Object.fromEntries([
  ...[3, 5, 7].flatMap((k) => [1, 3, 6].map((e) => [`ir_k${k}_e${e}`, invertedResidualOp(k, e)] as const)),
  ['skip', chainSkipOp],
]);

const REGISTRIES: Record<SpaceName, OpRegistry> = { darts: DARTS_OPS, nb201: NB201_OPS, har1d: HAR_OPS, chain: CHAIN_OPS };

export function getOpRegistry(space: SpaceName): OpRegistry {
  const registry = REGISTRIES[space];
  if (!registry) throw new Error(`ops: no operations registered for search space "${String(space)}"`);
  return registry;
}

/** Builds every primitive of a space, in the space's order; fails naming a primitive without a builder. */
export function builderFor(space: SpaceName, primitive: string): OpRegistry[string] {
  const builder = getOpRegistry(space)[primitive];
  if (!builder) throw new Error(`ops: search space "${space}" has no operation "${primitive}"`);
  return builder;
}
