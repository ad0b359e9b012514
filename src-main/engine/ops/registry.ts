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
import {
  derivedDilConv,
  derivedNb201AvgPool,
  derivedNone,
  derivedPool,
  derivedReluConvBn,
  derivedSepConv,
  derivedSkip,
  type DerivedOpBuilder,
} from './derived-ops.js';
import type { OpBuilder, OpRegistry } from './op.types.js';

/**
 * One op table per search space: each primitive names its supernet form (tfjs functions over explicit
 * variables, engine/ops/candidate.ops.ts) and its derived form (the stock layers it becomes in the
 * retrained model, engine/ops/derived-ops.ts), side by side, as quark0/darts and AutoDL keep one OPS
 * table for the search network and the final network. op-agreement.test.ts checks each pair agrees.
 */
export interface OpDefinition {
  supernet: OpBuilder;
  /** Absent where the derived model builds the block itself (the chain space's MobileNet blocks). */
  derived?: DerivedOpBuilder;
}
export type OpTable = Readonly<Record<string, OpDefinition>>;

const none: OpDefinition = { supernet: noneOp, derived: derivedNone };
const skip: OpDefinition = { supernet: skipOp, derived: derivedSkip };
const pool = (kind: 'max' | 'avg'): OpDefinition => ({ supernet: poolOp(kind), derived: derivedPool(kind) });
const reluConvBn = (k: number): OpDefinition => ({ supernet: reluConvBnOp(k), derived: derivedReluConvBn(k) });
const sepConv = (k: number): OpDefinition => ({ supernet: sepConvOp(k), derived: derivedSepConv(k) });
const dilConv = (k: number): OpDefinition => ({ supernet: dilConvOp(k), derived: derivedDilConv(k) });

export const DARTS_TABLE: OpTable = {
  none,
  max_pool_3x3: pool('max'),
  avg_pool_3x3: pool('avg'),
  skip_connect: skip,
  sep_conv_3x3: sepConv(3),
  sep_conv_5x5: sepConv(5),
  dil_conv_3x3: dilConv(3),
  dil_conv_5x5: dilConv(5),
};

export const NB201_TABLE: OpTable = {
  none,
  skip_connect: skip,
  nor_conv_1x1: reluConvBn(1),
  nor_conv_3x3: reluConvBn(3),
  avg_pool_3x3: { supernet: nb201AvgPoolOp, derived: derivedNb201AvgPool },
};

/** 1-D ops: the same definitions; `dims: 1` (and the derived layers' HAR geometry) turn every k×k into 1×k. */
export const HAR_TABLE: OpTable = {
  none,
  max_pool_3: pool('max'),
  avg_pool_3: pool('avg'),
  skip_connect: skip,
  conv_3: reluConvBn(3),
  conv_5: reluConvBn(5),
  conv_7: reluConvBn(7),
  dil_conv_3: dilConv(3),
  sep_conv_3: sepConv(3),
  sep_conv_5: sepConv(5),
};

export const CHAIN_TABLE: OpTable = Object.fromEntries([
  ...[3, 5, 7].flatMap((k) => [1, 3, 6].map((e) => [`ir_k${k}_e${e}`, { supernet: invertedResidualOp(k, e) }] as const)),
  ['skip', { supernet: chainSkipOp }],
]);

const TABLES: Record<SpaceName, OpTable> = { darts: DARTS_TABLE, nb201: NB201_TABLE, har1d: HAR_TABLE, chain: CHAIN_TABLE };

const supernetForms = (table: OpTable): OpRegistry => Object.fromEntries(Object.entries(table).map(([name, d]) => [name, d.supernet]));

export const DARTS_OPS = supernetForms(DARTS_TABLE);
export const NB201_OPS = supernetForms(NB201_TABLE);
export const HAR_OPS = supernetForms(HAR_TABLE);
export const CHAIN_OPS = supernetForms(CHAIN_TABLE);
const REGISTRIES: Record<SpaceName, OpRegistry> = { darts: DARTS_OPS, nb201: NB201_OPS, har1d: HAR_OPS, chain: CHAIN_OPS };

/** The supernet forms of a space's ops. */
export function getOpRegistry(space: SpaceName): OpRegistry {
  const registry = REGISTRIES[space];
  if (!registry) throw new Error(`ops: no operations registered for search space "${String(space)}"`);
  return registry;
}

/** Builds every primitive of a space, in the space's order; fails naming a primitive without a builder. */
export function builderFor(space: SpaceName, primitive: string): OpBuilder {
  const builder = getOpRegistry(space)[primitive];
  if (!builder) throw new Error(`ops: search space "${space}" has no operation "${primitive}"`);
  return builder;
}

/** The derived form of a primitive of a space; fails naming a primitive that has none. */
export function derivedFor(space: SpaceName, primitive: string): DerivedOpBuilder {
  const derived = TABLES[space]?.[primitive]?.derived;
  if (!derived) throw new Error(`Derived model: search space "${space}" has no stock-layer form of "${primitive}"`);
  return derived;
}
