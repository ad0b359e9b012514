import {
  CHAIN_PRIMITIVES,
  DARTS_PRIMITIVES,
  HAR_PRIMITIVES,
  NB201_PRIMITIVES,
  type CellTopology,
  type EdgeSpec,
  type SearchSpace,
  type SpaceName,
} from './space.types.js';

export interface SpaceOptions {
  /** Intermediate nodes of a DARTS / har1d cell (default 4). NB201 always has 3 and ignores it. */
  nodes?: number;
  /** Blocks of the chain space (default 6). */
  blocks?: number;
}

export const DEFAULT_DARTS_NODES = 4;
export const DEFAULT_CHAIN_BLOCKS = 6;

export function edgeName(to: number, from: number): string {
  return `${to}<-${from}`;
}

/** Parses "2<-0" into { to: 2, from: 0 }; throws on anything else. */
export function parseEdgeName(name: string): { to: number; from: number } {
  const match = /^(\d+)<-(\d+)$/.exec(name);
  if (!match) throw new Error(`Edge name "${name}" is not of the form "<to><-<from>", e.g. "2<-0"`);
  return { to: Number(match[1]), from: Number(match[2]) };
}

/** Every node i (after the inputs) receives an edge from every earlier node j < i. */
function denseTopology(inputs: number, steps: number): CellTopology {
  const edges: EdgeSpec[] = [];
  for (let to = inputs; to < inputs + steps; to++) {
    for (let from = 0; from < to; from++) edges.push({ name: edgeName(to, from), from, to });
  }
  return { inputs, steps, edges };
}

/**
 * The chain space as a path graph: block b is the single edge "b+1<-b" from node b (its input) to
 * node b+1 (its output), so node 0 is the stem output and node `blocks` feeds the head. This lets the
 * chain share the edge-indexed alpha matrices (one row per block) of the cell spaces.
 */
function chainTopology(blocks: number): CellTopology {
  const edges: EdgeSpec[] = [];
  for (let b = 0; b < blocks; b++) edges.push({ name: edgeName(b + 1, b), from: b, to: b + 1 });
  return { inputs: 1, steps: blocks, edges };
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`Search space: ${what} must be a positive integer, got ${String(value)}`);
  return n;
}

/** A search space as data: primitives, topology and which cell types carry alphas. */
export function getSpace(name: SpaceName, options: SpaceOptions = {}): SearchSpace {
  switch (name) {
    case 'darts':
      return {
        name,
        primitives: DARTS_PRIMITIVES,
        kind: 'cell',
        dims: 2,
        topology: denseTopology(2, positive(options.nodes, DEFAULT_DARTS_NODES, 'nodes')),
        cellTypes: ['normal', 'reduce'],
      };
    case 'har1d':
      return {
        name,
        primitives: HAR_PRIMITIVES,
        kind: 'cell',
        dims: 1,
        topology: denseTopology(2, positive(options.nodes, DEFAULT_DARTS_NODES, 'nodes')),
        cellTypes: ['normal', 'reduce'],
      };
    case 'nb201':
      return { name, primitives: NB201_PRIMITIVES, kind: 'cell', dims: 2, topology: denseTopology(1, 3), cellTypes: ['normal'] };
    case 'chain':
      return {
        name,
        primitives: CHAIN_PRIMITIVES,
        kind: 'chain',
        dims: 2,
        topology: chainTopology(positive(options.blocks, DEFAULT_CHAIN_BLOCKS, 'blocks')),
        cellTypes: ['normal'],
      };
    default: {
      const unknown: never = name;
      throw new Error(`Unknown search space "${String(unknown)}" (known: darts, nb201, har1d, chain)`);
    }
  }
}
