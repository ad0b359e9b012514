import { describe, expect, it } from 'vitest';
import { getSpace, parseEdgeName } from '../../../src-main/engine/space/spaces.js';
import { CHAIN_PRIMITIVES, DARTS_PRIMITIVES, HAR_PRIMITIVES, NB201_PRIMITIVES } from '../../../src-main/engine/space/space.types.js';

describe('getSpace', () => {
  it('darts: 2 inputs, 4 nodes, 14 edges from every earlier node', () => {
    const s = getSpace('darts');
    expect(s.primitives).toBe(DARTS_PRIMITIVES);
    expect(s.kind).toBe('cell');
    expect(s.dims).toBe(2);
    expect(s.cellTypes).toEqual(['normal', 'reduce']);
    expect(s.topology.inputs).toBe(2);
    expect(s.topology.steps).toBe(4);
    expect(s.topology.edges.map((e) => e.name)).toEqual([
      '2<-0', '2<-1', '3<-0', '3<-1', '3<-2', '4<-0', '4<-1', '4<-2', '4<-3', '5<-0', '5<-1', '5<-2', '5<-3', '5<-4',
    ]);
    for (const e of s.topology.edges) expect(parseEdgeName(e.name)).toEqual({ to: e.to, from: e.from });
  });

  it('darts honours the node count: 2+3+...+(n+1) edges', () => {
    expect(getSpace('darts', { nodes: 2 }).topology.edges.map((e) => e.name)).toEqual(['2<-0', '2<-1', '3<-0', '3<-1', '3<-2']);
    expect(getSpace('darts', { nodes: 5 }).topology.edges).toHaveLength(20);
    expect(() => getSpace('darts', { nodes: 0 })).toThrow(/nodes must be a positive integer/);
  });

  it('nb201: one input, nodes 1..3, 6 edges in the literature order', () => {
    const s = getSpace('nb201');
    expect(s.primitives).toBe(NB201_PRIMITIVES);
    expect(s.topology.inputs).toBe(1);
    expect(s.topology.steps).toBe(3);
    expect(s.cellTypes).toEqual(['normal']);
    expect(s.topology.edges.map((e) => e.name)).toEqual(['1<-0', '2<-0', '2<-1', '3<-0', '3<-1', '3<-2']);
  });

  it('har1d: HAR primitives on the DARTS topology, one spatial dimension', () => {
    const s = getSpace('har1d', { nodes: 3 });
    expect(s.primitives).toBe(HAR_PRIMITIVES);
    expect(s.dims).toBe(1);
    expect(s.topology.edges).toHaveLength(9);
    expect(s.cellTypes).toEqual(['normal', 'reduce']);
  });

  it('chain: a path graph, one edge per block', () => {
    const s = getSpace('chain', { blocks: 4 });
    expect(s.kind).toBe('chain');
    expect(s.primitives).toBe(CHAIN_PRIMITIVES);
    expect(s.topology.edges.map((e) => e.name)).toEqual(['1<-0', '2<-1', '3<-2', '4<-3']);
    expect(getSpace('chain').topology.edges).toHaveLength(6);
  });

  it('rejects a malformed edge name', () => {
    expect(() => parseEdgeName('2-0')).toThrow(/"2-0"/);
  });
});
