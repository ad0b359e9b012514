import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveGenotype } from '../../../src-main/engine/derive/derive-genotype.js';
import { formatGenotype, parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { CHAIN_PRIMITIVES, DARTS_PRIMITIVES, NB201_PRIMITIVES, type AlphaProbs, type DartsGenotype } from '../../../src-main/engine/space/space.types.js';

/** A probability row: `picks` maps primitive name → probability, the rest share `rest` each. */
function row(primitives: readonly string[], picks: Record<string, number>, rest: number): number[] {
  return primitives.map((p) => picks[p] ?? rest);
}

describe('deriveGenotype (DARTS rule)', () => {
  const P = DARTS_PRIMITIVES;
  const space = getSpace('darts', { nodes: 2 });
  const probs: AlphaProbs = {
    primitives: P,
    edges: ['2<-0', '2<-1', '3<-0', '3<-1', '3<-2'],
    normal: [
      // none dominates, the best real op ties three ways at 0.02: max_pool_3x3 (first) wins, strength 0.02
      row(P, { none: 0.9, max_pool_3x3: 0.02, avg_pool_3x3: 0.02, skip_connect: 0.02 }, 0.01),
      row(P, { sep_conv_3x3: 0.3 }, 0.1),
      row(P, { none: 0, skip_connect: 0.5, dil_conv_3x3: 0.05, dil_conv_5x5: 0.05 }, 0.1),
      // none is the largest value of all; ignored, so this edge's strength is only 0.1 and it is dropped
      row(P, { none: 0.6, dil_conv_5x5: 0.1 }, 0.05),
      row(P, { none: 0.2, dil_conv_3x3: 0.2 }, 0.1),
    ],
    reduce: [
      row(P, { avg_pool_3x3: 0.4 }, 0.6 / 7),
      row(P, { max_pool_3x3: 0.35 }, 0.65 / 7),
      row(P, {}, 0.125),
      row(P, { sep_conv_5x5: 0.3 }, 0.1),
      row(P, {}, 0.125),
    ],
  };

  it('keeps the top-2 edges per node by their strongest non-none op, strongest first', () => {
    const g = deriveGenotype(probs, space) as DartsGenotype;
    expect(g.normal.ops).toEqual([
      ['sep_conv_3x3', 1],
      ['max_pool_3x3', 0],
      ['skip_connect', 0],
      ['dil_conv_3x3', 2],
    ]);
    expect(g.normal.concat).toEqual([2, 3]);
    // node 3: 3<-1 (0.3) first; 3<-0 and 3<-2 tie at 0.125 and the earlier edge wins
    expect(g.reduce.ops).toEqual([
      ['avg_pool_3x3', 0],
      ['max_pool_3x3', 1],
      ['sep_conv_5x5', 1],
      ['max_pool_3x3', 0],
    ]);
  });

  it('recovers DARTS_V2 from alphas peaked on its choices', () => {
    const text = readFileSync(fileURLToPath(new URL('../../fixtures/genotypes/darts-v2.txt', import.meta.url)), 'utf8');
    const v2 = parseGenotype(text) as DartsGenotype;
    const full = getSpace('darts');
    const edges = full.topology.edges.map((e) => e.name);
    const matrix = (cell: DartsGenotype['normal']) =>
      edges.map((name) => {
        const [to, from] = name.split('<-').map(Number);
        const k = cell.ops.findIndex(([, input], i) => input === from && 2 + Math.floor(i / 2) === to);
        // chosen edges: the op peaks, and the first-listed pair of a node is stronger than the second
        if (k >= 0) return row(P, { [cell.ops[k][0]]: k % 2 === 0 ? 0.6 : 0.5 }, 0.05);
        return row(P, { none: 0.65 }, 0.05);
      });
    const g = deriveGenotype({ primitives: P, edges, normal: matrix(v2.normal), reduce: matrix(v2.reduce) }, full);
    expect(formatGenotype(g)).toBe(text);
  });

  it('needs a reduce matrix for cell spaces with a reduction cell', () => {
    expect(() => deriveGenotype({ ...probs, reduce: undefined }, space)).toThrow(/no reduce matrix/);
  });

  it('names missing edges and ragged rows', () => {
    expect(() => deriveGenotype({ ...probs, edges: probs.edges.slice(0, 4), normal: probs.normal.slice(0, 4) }, space)).toThrow(/lack edges 3<-2/);
    const ragged = { ...probs, normal: probs.normal.map((r, i) => (i === 1 ? r.slice(1) : r)) };
    expect(() => deriveGenotype(ragged, space)).toThrow(/row 1 \(edge 2<-1\) has 7 values for 8 primitives/);
  });
});

describe('deriveGenotype (argmax spaces)', () => {
  it('NB201: argmax over all ops per edge, none included; row order need not match the space', () => {
    const P = NB201_PRIMITIVES;
    const byEdge: Record<string, number[]> = {
      '1<-0': row(P, { none: 0.5 }, 0.125),
      '2<-0': row(P, { nor_conv_3x3: 0.4 }, 0.15),
      '2<-1': row(P, { avg_pool_3x3: 0.3, none: 0.29 }, 0.1375),
      '3<-0': row(P, { skip_connect: 0.9 }, 0.025),
      '3<-1': row(P, { nor_conv_1x1: 0.21 }, 0.1975),
      '3<-2': row(P, { nor_conv_3x3: 0.5 }, 0.125),
    };
    const edges = ['3<-2', '1<-0', '3<-0', '2<-1', '2<-0', '3<-1'];
    const g = deriveGenotype({ primitives: P, edges, normal: edges.map((e) => byEdge[e]) }, getSpace('nb201'));
    expect(formatGenotype(g)).toBe('|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|');
  });

  it('NB201: a cell whose argmax reaches no output opens the path that gives up the least alpha mass', () => {
    const P = NB201_PRIMITIVES;
    const derive = (byEdge: Record<string, number[]>) => {
      const edges = Object.keys(byEdge);
      return formatGenotype(deriveGenotype({ primitives: P, edges, normal: edges.map((e) => byEdge[e]) }, getSpace('nb201')));
    };
    // The genotype a 2-epoch denoising search produced, which no model can be built from.
    const collapsed = {
      '1<-0': row(P, { nor_conv_1x1: 0.4 }, 0.15),
      '2<-0': row(P, { none: 0.5 }, 0.125),
      '2<-1': row(P, { none: 0.5 }, 0.125),
      '3<-0': row(P, { none: 0.5, skip_connect: 0.3 }, 0.2 / 3),
      '3<-1': row(P, { none: 0.4, nor_conv_3x3: 0.35 }, 0.25 / 3),
      '3<-2': row(P, { none: 0.6 }, 0.1),
    };
    // One switch either way: 3<-1 keeps 0.35/0.4 of its edge's mass, 3<-0 only 0.3/0.5.
    expect(derive(collapsed)).toBe('|nor_conv_1x1~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|');
    expect(derive({ ...collapsed, '3<-1': row(P, { none: 0.6, nor_conv_3x3: 0.2 }, 0.05) })).toBe('|nor_conv_1x1~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|');
    // Two cheap switches beat one dear one.
    const cheapPair = { ...collapsed, '1<-0': row(P, { none: 0.3, nor_conv_3x3: 0.29 }, 0.41 / 3), '3<-1': row(P, { none: 0.3, avg_pool_3x3: 0.29 }, 0.41 / 3), '3<-0': row(P, { none: 0.9 }, 0.025) };
    expect(derive(cheapPair)).toBe('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|avg_pool_3x3~1|none~2|');
    // Every edge "none": the whole cheapest path opens.
    const allNone = Object.fromEntries(Object.keys(collapsed).map((e) => [e, row(P, { none: 0.6, nor_conv_3x3: 0.2 }, 0.2 / 3)]));
    expect(derive(allNone)).toBe('|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|');
  });

  it('chain: argmax per block', () => {
    const P = CHAIN_PRIMITIVES;
    const g = deriveGenotype(
      {
        primitives: P,
        edges: ['1<-0', '2<-1', '3<-2'],
        normal: [row(P, { ir_k5_e3: 0.3 }, 0.7 / 9), row(P, { skip: 0.2 }, 0.8 / 9), row(P, { ir_k7_e6: 0.11, ir_k3_e1: 0.1 }, 0.79 / 8)],
      },
      getSpace('chain', { blocks: 3 }),
    );
    expect(formatGenotype(g)).toBe('ir_k5_e3-skip-ir_k7_e6');
  });

  it('rejects primitives the space does not have', () => {
    expect(() => deriveGenotype({ primitives: ['none', 'conv_9x9'], edges: ['1<-0'], normal: [[0.5, 0.5]] }, getSpace('chain', { blocks: 1 }))).toThrow(
      /conv_9x9 are not in the space/,
    );
  });
});
