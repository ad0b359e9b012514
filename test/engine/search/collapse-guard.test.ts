import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EdgeInput } from '../../../src-main/engine/ops/edge-input.js';
import { DARTS_OPS } from '../../../src-main/engine/ops/registry.js';
import { auxiliarySkipBeta, betaDecayRegularizer, collapseFinding, decisionMargin, normalCellSkips, normalSkipCount, quietReading, skipLimit } from '../../../src-main/engine/search/collapse-guard.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { DARTS_PRIMITIVES } from '../../../src-main/engine/space/space.types.js';
import { MixedOp } from '../../../src-main/engine/supernet/mixed-op.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('collapse guard helpers', () => {
  it('counts skip_connect in the normal cell only', () => {
    const g = parseGenotype(
      "Genotype(normal=[('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 1)], normal_concat=[2, 3], reduce=[('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2, 3])",
    );
    expect(normalSkipCount(g)).toBe(3);
    expect(skipLimit(getSpace('darts'))).toBe(2);
    expect(skipLimit(getSpace('chain'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('a skip is settled when it leads its edge by 1/K of the compared probability (NB201 compares none too; scaled rows are renormalised)', () => {
    const nb201 = getSpace('nb201');
    expect(decisionMargin(nb201)).toBeCloseTo(1 / 5);
    expect(decisionMargin(getSpace('darts'))).toBeCloseTo(1 / 7);
    const skip = nb201.primitives.indexOf('skip_connect');
    const conv = nb201.primitives.indexOf('nor_conv_3x3');
    const row = (lead: number, scale = 1) => nb201.primitives.map((_, k) => scale * (k === skip ? 0.2 + lead : k === conv ? 0.2 : (0.6 - lead) / 3));
    const probs = (rows: number[][]) => ({ primitives: nb201.primitives, edges: nb201.topology.edges.map((e) => e.name), normal: rows });
    // Every edge's skip leads by 0.25 (settled), then by 0.1 (not); halving whole rows (PC-DARTS' betas) changes nothing.
    expect(normalCellSkips(probs(nb201.topology.edges.map(() => row(0.25))), nb201)).toMatchObject({ chosen: 6 });
    expect(normalCellSkips(probs(nb201.topology.edges.map(() => row(0.25, 0.5))), nb201).decided).toHaveLength(6);
    const quiet = normalCellSkips(probs(nb201.topology.edges.map(() => row(0.1))), nb201);
    expect(quiet).toMatchObject({ chosen: 6, decided: [] });
    expect(quietReading(quiet, skipLimit(nb201))).toMatch(/^Not triggered: the alphas had not decided .* was 0\.10; settling needs 0\.20\), so the 6 skip_connect the argmax shows in the normal cell say nothing yet\.$/);
    const loud = normalCellSkips(probs(nb201.topology.edges.map(() => row(0.25))), nb201);
    expect(collapseFinding(loud, 3)).toMatch(/^the normal cell had settled on skip_connect on 6 edges \(1<-0 by 0\.25, .*\), and 3 such edges mean the search is collapsing onto skip connections$/);
  });

  it('beta-DARTS: λ·mean logsumexp, λ growing linearly over the epochs', () => {
    const alphas = { normal: tf.zeros([4, 8]) as tf.Tensor2D };
    expect(betaDecayRegularizer(alphas, 0, 5).dataSync()[0]).toBe(0);
    expect(betaDecayRegularizer(alphas, 4, 5, 0.5).dataSync()[0]).toBeCloseTo(0.5 * Math.log(8), 5);
  });

  it('DARTS-: the auxiliary skip adds β·x on stride-1 edges and decays to 0', () => {
    expect(auxiliarySkipBeta(0)).toBe(1);
    expect(auxiliarySkipBeta(0.75)).toBeCloseTo(0.25);
    expect(auxiliarySkipBeta(2)).toBe(0);
    const mixed = new MixedOp(DARTS_PRIMITIVES, DARTS_OPS, 4, 1, { dims: 2, rng: new Rng(1) });
    const x = tf.randomNormal([1, 4, 4, 4]) as tf.Tensor4D;
    const y = mixed.apply(new EdgeInput(x, 2), tf.zeros([1, 8]), [], true, 0.5) as tf.Tensor4D;
    expect(tf.max(tf.abs(tf.sub(y, tf.mul(x, 0.5)))).dataSync()[0]).toBeLessThan(1e-6);
    const reducing = new MixedOp(DARTS_PRIMITIVES, DARTS_OPS, 4, 2, { dims: 2, rng: new Rng(1) });
    expect(reducing.apply(new EdgeInput(x, 2), tf.zeros([1, 8]), [], true, 0.5)).toBeNull();
  });
});
