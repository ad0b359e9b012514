/**
 * Search spaces are data: a space names its primitives and its cell topology; op builders live in ops/.
 * Edge names follow the literature: "2<-0" is the edge into node 2 from node 0, where nodes 0 and 1 are
 * the cell's two inputs in the DARTS space and node 0 is the single input in the NAS-Bench-201 space.
 */

export const DARTS_PRIMITIVES = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;

export const NB201_PRIMITIVES = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/** 1-D primitives for sensor windows (HAR). Same vocabulary, kernels along time. */
export const HAR_PRIMITIVES = [
  'none',
  'max_pool_3',
  'avg_pool_3',
  'skip_connect',
  'conv_3',
  'conv_5',
  'conv_7',
  'dil_conv_3',
  'sep_conv_3',
  'sep_conv_5',
] as const;

/** MobileNet-style chain space: one choice per block (FBNet / ProxylessNAS). */
export const CHAIN_PRIMITIVES = [
  'ir_k3_e1',
  'ir_k3_e3',
  'ir_k3_e6',
  'ir_k5_e1',
  'ir_k5_e3',
  'ir_k5_e6',
  'ir_k7_e1',
  'ir_k7_e3',
  'ir_k7_e6',
  'skip',
] as const;

export type DartsPrimitive = (typeof DARTS_PRIMITIVES)[number];
export type Nb201Primitive = (typeof NB201_PRIMITIVES)[number];
export type HarPrimitive = (typeof HAR_PRIMITIVES)[number];
export type ChainPrimitive = (typeof CHAIN_PRIMITIVES)[number];

export type SpaceName = 'darts' | 'nb201' | 'chain' | 'har1d';

/** One searchable edge of a cell: `to` receives from `from`. */
export interface EdgeSpec {
  /** Literature name, e.g. "2<-0". */
  name: string;
  from: number;
  to: number;
}

/** A cell topology: which edges exist, which nodes are inputs and which are concatenated as output. */
export interface CellTopology {
  /** Number of input nodes (2 for DARTS: c_{k-2}, c_{k-1}; 1 for NB201). */
  inputs: number;
  /** Number of intermediate nodes (4 in DARTS and NB201 counts its nodes 1..3 after the input). */
  steps: number;
  edges: EdgeSpec[];
}

export interface SearchSpace {
  name: SpaceName;
  primitives: readonly string[];
  /** 'cell' spaces repeat a searched cell; 'chain' spaces choose one op per block. */
  kind: 'cell' | 'chain';
  /** 2 for images, 1 for sensor windows. */
  dims: 1 | 2;
  topology: CellTopology;
  /** Cell types that carry their own alphas: DARTS and 1-D have normal+reduce, NB201 one cell. */
  cellTypes: readonly ('normal' | 'reduce')[];
}

/** A derived DARTS-style cell: for each intermediate node, its two (op, input) pairs. */
export interface DartsCellGenotype {
  ops: [op: string, input: number][];
  concat: number[];
}

export interface DartsGenotype {
  format: 'darts';
  normal: DartsCellGenotype;
  reduce: DartsCellGenotype;
}

/** NB201: node j (1..3) receives one op from every earlier node i < j. */
export interface Nb201Genotype {
  format: 'nb201';
  /** nodes[j-1] lists [op, fromNode] for every incoming edge of node j. */
  nodes: [op: string, input: number][][];
}

/** Chain genotype: one primitive per block, e.g. "ir_k5_e3-ir_k3_e6-skip-…". */
export interface ChainGenotype {
  format: 'chain';
  blocks: string[];
}

export type Genotype = DartsGenotype | Nb201Genotype | ChainGenotype;

// Owned by the contract (events and result.json carry it); re-exported for the engine.
export type { AlphaProbs } from '../../contract/alphas.js';
