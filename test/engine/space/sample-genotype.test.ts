import { describe, expect, it } from 'vitest';
import { deriveGenotype } from '../../../src-main/engine/derive/derive-genotype.js';
import { genotypeProbs } from '../../../src-main/engine/space/genotype-probs.js';
import { formatGenotype, parseGenotype, validateGenotype } from '../../../src-main/engine/space/genotype.js';
import { nb201Connected, sampleDistinctGenotypes, sampleGenotype } from '../../../src-main/engine/space/sample-genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import type { Nb201Genotype, SpaceName } from '../../../src-main/engine/space/space.types.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

describe('sampleGenotype', () => {
  it('draws only NB201 cells with a path from input to output, and draws the disconnected ones again', () => {
    const space = getSpace('nb201');
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) expect(nb201Connected(sampleGenotype(space, rng) as Nb201Genotype)).toBe(true);
    expect(nb201Connected(parseGenotype('|none~0|+|none~0|skip_connect~1|+|none~0|skip_connect~1|skip_connect~2|') as Nb201Genotype)).toBe(false);
    expect(nb201Connected(parseGenotype('|none~0|+|skip_connect~0|none~1|+|none~0|none~1|nor_conv_3x3~2|') as Nb201Genotype)).toBe(true);
  });

  it.each(['darts', 'nb201', 'har1d', 'chain'] as SpaceName[])('gives valid, distinct %s genotypes that replay from a seed', (name) => {
    const space = getSpace(name);
    const first = sampleDistinctGenotypes(space, 12, new Rng(5));
    expect(new Set(first).size).toBe(12);
    expect(sampleDistinctGenotypes(space, 12, new Rng(5))).toEqual(first);
    for (const text of first) validateGenotype(parseGenotype(text), space);
  });

  it('covers every NB201 op on every edge over many draws (uniform, not biased to one op)', () => {
    const space = getSpace('nb201');
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) for (const [op] of (sampleGenotype(space, rng) as Nb201Genotype).nodes.flat()) counts.set(op, (counts.get(op) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...space.primitives].sort());
    // 'none' is drawn less often only because disconnected cells are drawn again.
    for (const op of ['skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']) expect(counts.get(op)!).toBeGreaterThan(600 * 6 * 0.15);
  });
});

describe('genotypeProbs', () => {
  it.each(['darts', 'nb201', 'chain'] as SpaceName[])('derives back the %s genotype it was made from', (name) => {
    const space = getSpace(name);
    const rng = new Rng(9);
    for (let i = 0; i < 10; i++) {
      const g = sampleGenotype(space, rng);
      expect(formatGenotype(deriveGenotype(genotypeProbs(g, space), space))).toBe(formatGenotype(g));
    }
  });
});
