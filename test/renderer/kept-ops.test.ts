import { describe, expect, it } from 'vitest';
import { isKept, keptOps } from '../../src-renderer/lib/kept-ops.js';

describe('what the alpha heatmaps outline', () => {
  it('DARTS: the two (edge, op) pairs of each node, per cell type, named as the alpha edges are', () => {
    const kept = keptOps("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 0), ('sep_conv_3x3', 2)], normal_concat=[2, 3], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3])");
    expect([...kept.normal].sort()).toEqual(['2<-0|sep_conv_3x3', '2<-1|skip_connect', '3<-0|dil_conv_3x3', '3<-2|sep_conv_3x3']);
    expect(isKept(kept.reduce, '3<-2', 'skip_connect')).toBe(true);
    expect(isKept(kept.reduce, '3<-2', 'max_pool_3x3')).toBe(false);
  });

  it('NAS-Bench-201: one op per edge into each node, none left out', () => {
    const kept = keptOps('|nor_conv_3x3~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|avg_pool_3x3~2|');
    expect([...kept.normal].sort()).toEqual(['1<-0|nor_conv_3x3', '2<-1|skip_connect', '3<-0|skip_connect', '3<-2|avg_pool_3x3']);
    expect(kept.reduce.size).toBe(0);
  });

  it('keeps nothing without a genotype', () => {
    expect(keptOps(undefined).normal.size).toBe(0);
  });
});
