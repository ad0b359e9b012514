import * as tf from '@tensorflow/tfjs';
import { deriveGenotype } from '../derive/derive-genotype.js';
import type { AlphaProbs, Genotype, SearchSpace } from '../space/space.types.js';
import type { Alphas } from '../strategy/strategy.types.js';

export type CollapseGuardMethod = 'none' | 'skip-count-early-stop' | 'darts-minus' | 'beta-darts';

export interface GuardOutcome {
  method: CollapseGuardMethod;
  triggered: boolean;
  message?: string;
}

/** skip_connect ops in a genotype's normal cell (NB201: in its one cell; chain: 'skip' blocks are not a collapse). */
export function normalSkipCount(g: Genotype): number {
  if (g.format === 'darts') return g.normal.ops.filter(([op]) => op === 'skip_connect').length;
  if (g.format === 'nb201') return g.nodes.flat().filter(([op]) => op === 'skip_connect').length;
  return 0;
}

/**
 * How many skips mean collapse (DARTS+): 2 in a DARTS-style normal cell of 8 ops; NB201 cells have 6
 * edges and good cells hold one or two skips, so 3 there. The chain space is never checked.
 */
export function skipLimit(space: SearchSpace): number {
  if (space.kind === 'chain') return Number.POSITIVE_INFINITY;
  return space.name === 'nb201' ? 3 : 2;
}

/**
 * Fallback when the very first check already shows a collapse (no earlier genotype to keep): remove
 * the weakest chosen skip_connect from the normal probabilities until fewer than `limit` remain
 * (P-DARTS caps skips the same way). Returns adjusted probabilities; the input is not changed.
 */
export function capSkips(probs: AlphaProbs, space: SearchSpace, limit: number): AlphaProbs {
  const skip = probs.primitives.indexOf('skip_connect');
  const normal = probs.normal.map((row) => [...row]);
  const adjusted: AlphaProbs = { ...probs, normal };
  if (skip < 0) return adjusted;
  for (let guard = 0; guard < normal.length; guard++) {
    const g = deriveGenotype(adjusted, space);
    if (normalSkipCount(g) < limit) return adjusted;
    let weakest = -1;
    normal.forEach((row, e) => {
      const best = row.indexOf(Math.max(...row.filter((_, k) => probs.primitives[k] !== 'none')));
      if (best === skip && (weakest < 0 || row[skip] < normal[weakest][skip])) weakest = e;
    });
    if (weakest < 0) return adjusted;
    normal[weakest][skip] = 0;
  }
  return adjusted;
}

/**
 * β-DARTS' Beta-Decay regulariser: mean over edges of logsumexp(α_e), which keeps the alphas from
 * drifting to the extreme values that precede a skip collapse. Its weight grows linearly over the
 * search from 0 to `lambdaMax`.
 */
export function betaDecayRegularizer(alphas: Alphas, epoch: number, epochs: number, lambdaMax = 0.5): tf.Scalar {
  const lambda = epochs <= 1 ? lambdaMax : (lambdaMax * epoch) / (epochs - 1);
  const terms = Object.values(alphas).map((a) => tf.mean(tf.logSumExp(a as tf.Tensor2D, 1)));
  return tf.mul(terms.length === 1 ? terms[0] : tf.addN(terms), lambda) as tf.Scalar;
}

/** DARTS-' auxiliary skip weight: decays linearly from 1 to 0 over the search. */
export function auxiliarySkipBeta(progress: number): number {
  return Math.max(0, 1 - progress);
}
