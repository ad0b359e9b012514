import { describe, expect, it } from 'vitest';
import { gradientDecision } from '../../../src-main/engine/search/gradient-decision.js';
import { archLearningRate } from '../../../src-main/engine/search/search-loop.js';
import { deriveGenotype } from '../../../src-main/engine/derive/derive-genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import type { AlphaProbs } from '../../../src-main/engine/space/space.types.js';

const space = getSpace('nb201');
const edges = space.topology.edges.map((e) => e.name);
const probsOf = (row: (e: number) => number[]): AlphaProbs => ({ primitives: space.primitives, edges, normal: edges.map((_, e) => row(e)) });

describe('gradientDecision', () => {
  it('calls near-uniform alphas undecided, and says so in plain words', () => {
    const probs = probsOf((e) => [0.2, 0.2, 0.2, 0.2, 0.2].map((p, k) => p + (k === e % 5 ? 0.001 : -0.00025)));
    const d = gradientDecision(probs, space, deriveGenotype(probs, space));
    expect(d.verdict).toBe('undecided');
    expect(d.decidedEdges).toBe(0);
    expect(d.totalEdges).toBe(6);
    expect(d.message).toMatch(/close to a random draw/);
  });

  it('calls clear leads decided, and reports each edge with its runner-up', () => {
    const probs = probsOf(() => [0.05, 0.1, 0.15, 0.6, 0.1]);
    const d = gradientDecision(probs, space, deriveGenotype(probs, space));
    expect(d.verdict).toBe('decided');
    expect(d.edges[0]).toMatchObject({ cell: 'normal', op: 'nor_conv_3x3', runnerUp: 'nor_conv_1x1' });
    expect(d.edges[0].margin).toBeCloseTo(0.45, 6);
  });

  it('calls a cell with a few clear edges partly decided', () => {
    const probs = probsOf((e) => (e < 2 ? [0.05, 0.1, 0.15, 0.6, 0.1] : [0.2, 0.21, 0.2, 0.19, 0.2]));
    expect(gradientDecision(probs, space, deriveGenotype(probs, space)).verdict).toBe('partly');
  });
});

describe('archLearningRate', () => {
  it('lets the alphas move about 3 logits over the steps they get, within the papers’ 3e-4 and 0.05', () => {
    expect(archLearningRate(100)).toBeCloseTo(0.03, 10);
    expect(archLearningRate(20_000)).toBe(3e-4);
    expect(archLearningRate(10)).toBe(0.05);
  });
});
