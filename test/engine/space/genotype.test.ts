import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatGenotype, parseGenotype, validateGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import type { DartsGenotype, Nb201Genotype } from '../../../src-main/engine/space/space.types.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/genotypes/${name}`, import.meta.url)), 'utf8');

describe('golden genotypes round-trip byte for byte', () => {
  for (const name of ['darts-v1.txt', 'darts-v2.txt', 'nb201-cifar10-optimum.txt']) {
    it(name, () => {
      const text = fixture(name);
      expect(formatGenotype(parseGenotype(text))).toBe(text);
    });
  }

  it('DARTS_V2 parses to the published cells', () => {
    const g = parseGenotype(fixture('darts-v2.txt')) as DartsGenotype;
    expect(g.format).toBe('darts');
    expect(g.normal.ops).toHaveLength(8);
    expect(g.normal.ops[7]).toEqual(['dil_conv_3x3', 2]);
    expect(g.normal.ops[0]).toEqual(['sep_conv_3x3', 0]);
    expect(g.reduce.ops[2]).toEqual(['skip_connect', 2]);
    expect(g.normal.concat).toEqual([2, 3, 4, 5]);
    expect(g.reduce.concat).toEqual([2, 3, 4, 5]);
    validateGenotype(g, getSpace('darts'));
  });

  it('the NB201 optimum parses node by node', () => {
    const g = parseGenotype(fixture('nb201-cifar10-optimum.txt')) as Nb201Genotype;
    expect(g.nodes).toEqual([
      [['nor_conv_3x3', 0]],
      [['nor_conv_3x3', 0], ['nor_conv_3x3', 1]],
      [['skip_connect', 0], ['nor_conv_3x3', 1], ['nor_conv_3x3', 2]],
    ]);
    validateGenotype(g, getSpace('nb201'));
  });
});

describe('parseGenotype tolerance', () => {
  it('accepts range(2, 6), other whitespace, double quotes and trailing commas; prints the list form', () => {
    const loose = `Genotype(
      normal = [("sep_conv_3x3", 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1),
                ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2),],
      normal_concat = range(2, 6),
      reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0),
                ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)],
      reduce_concat = range(2,6)
    )`;
    const text = formatGenotype(parseGenotype(loose));
    expect(text).toContain('normal_concat=[2, 3, 4, 5]');
    expect(text).toContain('reduce_concat=[2, 3, 4, 5])');
    expect(text.startsWith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0)")).toBe(true);
  });

  it('accepts positional arguments as namedtuples allow', () => {
    const g = parseGenotype("Genotype([('skip_connect', 0), ('skip_connect', 1)], [2], [('max_pool_3x3', 0), ('max_pool_3x3', 1)], [2])");
    expect(formatGenotype(g)).toBe(
      "Genotype(normal=[('skip_connect', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])",
    );
  });

  it('tolerates spaces in NB201 strings', () => {
    expect(formatGenotype(parseGenotype(' |skip_connect~0| + |none~0|avg_pool_3x3~1| '))).toBe('|skip_connect~0|+|none~0|avg_pool_3x3~1|');
  });

  it('chain genotypes are "-"-joined block primitives', () => {
    const g = parseGenotype('ir_k3_e6-ir_k5_e3-skip');
    expect(g).toEqual({ format: 'chain', blocks: ['ir_k3_e6', 'ir_k5_e3', 'skip'] });
    expect(formatGenotype(g)).toBe('ir_k3_e6-ir_k5_e3-skip');
  });

  it('names what is malformed', () => {
    expect(() => parseGenotype('')).toThrow(/empty/);
    expect(() => parseGenotype("Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2])")).toThrow(/missing reduce/);
    expect(() => parseGenotype("Genotype(normal=[('sep_conv_3x3' 0)], normal_concat=[2], reduce=[], reduce_concat=[2])")).toThrow(
      /normal: expected \('op', input\)/,
    );
    expect(() => parseGenotype("Genotype(normal=[], normal_concat=[2, x], reduce=[], reduce_concat=[2])")).toThrow(/normal_concat/);
    expect(() => parseGenotype('|nor_conv_3x3~0|+|nor_conv_3x3|')).toThrow(/edge "nor_conv_3x3" of node 2/);
    expect(() => parseGenotype('|nor_conv_3x3~0+|x~0|')).toThrow(/node 1/);
    expect(() => parseGenotype('ir_k3_e6--skip')).toThrow(/block 1/);
  });
});

describe('validateGenotype', () => {
  const v2 = () => parseGenotype(fixture('darts-v2.txt')) as DartsGenotype;

  it('names an unknown op', () => {
    const g = v2();
    g.normal.ops[3] = ['conv_9x9', 1];
    expect(() => validateGenotype(g, getSpace('darts'))).toThrow(/normal node 3 edge 1: unknown op "conv_9x9"/);
  });

  it('names an input out of range', () => {
    const g = v2();
    g.reduce.ops[0] = ['max_pool_3x3', 2];
    expect(() => validateGenotype(g, getSpace('darts'))).toThrow(/reduce node 2 edge 0: input 2 out of range/);
  });

  it('names a wrong edge count', () => {
    expect(() => validateGenotype(v2(), getSpace('darts', { nodes: 3 }))).toThrow(/normal: 8 \(op, input\) pairs, expected 6/);
    const nb = parseGenotype('|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    expect(() => validateGenotype(nb, getSpace('nb201'))).toThrow(/node 2: 1 edges, expected 2/);
    expect(() => validateGenotype(parseGenotype('skip-skip'), getSpace('chain', { blocks: 3 }))).toThrow(/2 blocks, expected 3/);
  });

  it('checks the vocabulary of the space and the format', () => {
    expect(() => validateGenotype(v2(), getSpace('har1d'))).toThrow(/unknown op "sep_conv_3x3"/);
    expect(() => validateGenotype(v2(), getSpace('nb201'))).toThrow(/does not belong to the nb201 space/);
    expect(() => validateGenotype(parseGenotype('ir_k3_e6-conv'), getSpace('chain', { blocks: 2 }))).toThrow(/block 1: unknown op "conv"/);
    const nbDup = parseGenotype('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    expect(() => validateGenotype(nbDup, getSpace('nb201'))).toThrow(/input 0 appears twice/);
  });

  it('allows none in NB201 cells but not in a derived DARTS cell', () => {
    validateGenotype(parseGenotype('|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|'), getSpace('nb201'));
    const g = v2();
    g.normal.ops[0] = ['none', 0];
    expect(() => validateGenotype(g, getSpace('darts'))).toThrow(/"none" cannot be chosen/);
  });
});
