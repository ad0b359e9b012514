import { describe, expect, it } from 'vitest';
import { genotypeToGraphs, layeredLayout } from '../../src-renderer/lib/genotype-graph.js';

// DARTS_V2 from quark0/darts genotypes.py, as Python prints it.
const DARTS_V2 =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

describe('genotypeToGraphs', () => {
  it('reads a DARTS genotype into a normal and a reduction cell with named inputs', () => {
    const { format, cells } = genotypeToGraphs(DARTS_V2);
    expect(format).toBe('darts');
    expect(cells.map((c) => c.title)).toEqual(['Normal cell', 'Reduction cell']);
    const normal = cells[0];
    expect(normal.nodes.map((n) => n.label)).toEqual(['c_{k-2}', 'c_{k-1}', '2', '3', '4', '5', 'c_{k}']);
    const ops = normal.edges.filter((e) => e.op !== 'concat');
    expect(ops).toHaveLength(8);
    // ('dil_conv_3x3', 2) of node 3 reads intermediate node 0.
    expect(ops[7]).toEqual({ from: 'n0', to: 'n3', op: 'dil_conv_3x3' });
    expect(ops[0]).toEqual({ from: 'in0', to: 'n0', op: 'sep_conv_3x3' });
    expect(normal.edges.filter((e) => e.op === 'concat').map((e) => e.from)).toEqual(['n0', 'n1', 'n2', 'n3']);
  });

  it('accepts range(2, 6) as the concat and ignores whitespace', () => {
    const text = "Genotype( normal=[('skip_connect', 0), ('sep_conv_5x5', 1)], normal_concat=range(2, 3), reduce=[('max_pool_3x3', 1), ('avg_pool_3x3', 0)], reduce_concat=range(2, 3) )";
    const { cells } = genotypeToGraphs(text);
    expect(cells[1].edges).toContainEqual({ from: 'in1', to: 'n0', op: 'max_pool_3x3' });
    expect(cells[0].edges.filter((e) => e.to === 'out')).toEqual([{ from: 'n0', to: 'out', op: 'concat' }]);
  });

  it('reads an NB201 string: node i gathers one op from every earlier node', () => {
    const { format, cells } = genotypeToGraphs('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
    expect(format).toBe('nb201');
    expect(cells[0].nodes.map((n) => n.label)).toEqual(['input', '1', '2', 'output']);
    expect(cells[0].edges).toHaveLength(6);
    expect(cells[0].edges[5]).toEqual({ from: 'n2', to: 'n3', op: 'skip_connect' });
  });

  it('reads a chain genotype', () => {
    const { format, cells } = genotypeToGraphs('ir_k3_e6-ir_k5_e3-skip');
    expect(format).toBe('chain');
    expect(cells[0].edges.map((e) => e.op)).toEqual(['ir_k3_e6', 'ir_k5_e3', 'skip']);
  });

  it('names the problem of a malformed string', () => {
    expect(() => genotypeToGraphs('|nor_conv_3x3~0|+|nor_conv_3x3~5|')).toThrow(/node 2 reads node 5/);
    expect(() => genotypeToGraphs("Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], reduce=[], reduce_concat=[])")).toThrow(/two per node/);
    expect(() => genotypeToGraphs('  ')).toThrow(/empty/);
    expect(() => genotypeToGraphs('|nor_conv_3x3-0|')).toThrow(/op~input/);
  });
});

describe('layeredLayout', () => {
  it('puts each node right of all its inputs and the output last', () => {
    const cell = genotypeToGraphs(DARTS_V2).cells[0];
    const layout = layeredLayout(cell);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const edge of layout.edges) expect(at.get(edge.from)!.layer).toBeLessThan(at.get(edge.to)!.layer);
    const outLayer = at.get('out')!.layer;
    expect(layout.nodes.every((n) => n.id === 'out' || n.layer < outLayer)).toBe(true);
    expect(at.get('in0')!.layer).toBe(0);
    // node 3 reads node 0, so it sits one layer further right.
    expect(at.get('n3')!.layer).toBe(at.get('n0')!.layer + 1);
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x).toBeLessThanOrEqual(layout.width);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeLessThanOrEqual(layout.height);
    }
  });

  it('bends the edges into one node apart so their labels do not overlap', () => {
    const layout = layeredLayout(genotypeToGraphs(DARTS_V2).cells[0]);
    const intoN0 = layout.edges.filter((e) => e.to === 'n0');
    expect(intoN0).toHaveLength(2);
    const [a, b] = intoN0;
    expect(Math.hypot(a.labelX - b.labelX, a.labelY - b.labelY)).toBeGreaterThan(10);
  });
});
