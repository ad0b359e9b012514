import * as tf from '@tensorflow/tfjs';
import { deriveGenotype } from '../derive/derive-genotype.js';
import { edgeName } from '../space/spaces.js';
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

/** The normal cell's chosen (edge, op) pairs, edges named as in the alphas ("2<-0"). */
function normalCellChoices(g: Genotype, space: SearchSpace): { edge: string; op: string }[] {
  const { inputs } = space.topology;
  if (g.format === 'darts') return g.normal.ops.map(([op, from], j) => ({ edge: edgeName(inputs + Math.floor(j / 2), from), op }));
  if (g.format === 'nb201') return g.nodes.flatMap((node, i) => node.map(([op, from]) => ({ edge: edgeName(inputs + i, from), op })));
  return [];
}

/**
 * A chosen skip_connect counts as decided when, on its edge, it leads the runner-up by at least 1/K of
 * the probability the derivation compares (K ops: DARTS-style cells leave out 'none', NB201 keeps it):
 * about twice the runner-up's weight, so near-uniform alphas (leads of 0.001) never count.
 */
export function decisionMargin(space: SearchSpace): number {
  const compared = space.name === 'nb201' ? space.primitives.length : space.primitives.filter((p) => p !== 'none').length;
  return 1 / Math.max(1, compared);
}

export interface NormalCellSkips {
  /** skip_connect ops in the derived normal cell, decided or not. */
  chosen: number;
  /** Of those, the decided ones (lead ≥ margin), with their leads. */
  decided: { edge: string; lead: number }[];
  /** The lead a decision needs: 1/K of the edge's compared probability. */
  margin: number;
  /** The largest lead of any chosen op over its edge's runner-up: how far the cell has decided at all. */
  largestLead: number;
}

/**
 * Reads the normal cell as the guard sees it: per chosen edge, the lead of its op over the runner-up,
 * on the edge's probabilities renormalised over the ops the derivation compares (PC-DARTS' edge
 * betas scale whole rows, so raw rows need not sum to 1).
 */
export function normalCellSkips(probs: AlphaProbs, space: SearchSpace, genotype: Genotype = deriveGenotype(probs, space)): NormalCellSkips {
  const margin = decisionMargin(space);
  const none = probs.primitives.indexOf('none');
  const compared = (k: number) => space.name === 'nb201' || k !== none;
  const reading: NormalCellSkips = { chosen: 0, decided: [], margin, largestLead: 0 };
  for (const { edge, op } of normalCellChoices(genotype, space)) {
    const row = probs.normal[probs.edges.indexOf(edge)];
    const k = probs.primitives.indexOf(op);
    if (!row || k < 0) continue;
    const total = row.reduce((sum, v, i) => (compared(i) ? sum + v : sum), 0);
    const share = (i: number) => (total > 0 ? row[i] / total : 0);
    const runnerUp = Math.max(0, ...row.map((_, i) => (i !== k && compared(i) ? share(i) : 0)));
    const lead = share(k) - runnerUp;
    reading.largestLead = Math.max(reading.largestLead, lead);
    if (op !== 'skip_connect') continue;
    reading.chosen++;
    if (lead >= margin) reading.decided.push({ edge, lead });
  }
  return reading;
}

/**
 * How many skips mean collapse (DARTS+): 2 in a DARTS-style normal cell of 8 ops; NB201 cells have 6
 * edges and good cells hold one or two skips, so 3 there. The chain space is never checked.
 */
export function skipLimit(space: SearchSpace): number {
  if (space.kind === 'chain') return Number.POSITIVE_INFINITY;
  return space.name === 'nb201' ? 3 : 2;
}

const leadText = (lead: number) => lead.toFixed(lead < 0.01 ? 3 : 2);

/** What the guard saw when it fires, in plain words (the caller adds what it did about it). */
export function collapseFinding(skips: NormalCellSkips, limit: number): string {
  const edges = skips.decided.map((d) => `${d.edge} by ${leadText(d.lead)}`).join(', ');
  return (
    `the normal cell had settled on skip_connect on ${skips.decided.length} edges (${edges}; settled means a lead of at least ` +
    `${leadText(skips.margin)} over the edge's next op), and ${limit} such edges mean the search is collapsing onto skip connections`
  );
}

/** What the guard saw when it did not fire; near-uniform alphas are reported as undecided, not as a finding. */
export function quietReading(skips: NormalCellSkips, limit: number): string {
  if (skips.largestLead < skips.margin) {
    const argmax = skips.chosen > 0 ? `, so the ${skips.chosen} skip_connect the argmax shows in the normal cell say nothing yet` : '';
    return (
      `Not triggered: the alphas had not decided (the largest lead of a chosen op over its edge's next op was ${leadText(skips.largestLead)}; ` +
      `settling needs ${leadText(skips.margin)})${argmax}.`
    );
  }
  const n = skips.decided.length;
  return `Not triggered: ${n === 0 ? 'no edge' : n === 1 ? '1 edge' : `${n} edges`} of the normal cell had settled on skip_connect (a collapse is ${limit}).`;
}

/**
 * Fallback when the very first check already shows a collapse (no earlier genotype to keep): remove
 * the least decided skip_connect from the normal probabilities until fewer than `limit` decided ones
 * remain (P-DARTS caps skips the same way); that edge then takes its next-best op. Returns adjusted
 * probabilities; the input is not changed.
 */
export function capSkips(probs: AlphaProbs, space: SearchSpace, limit: number): AlphaProbs {
  const skip = probs.primitives.indexOf('skip_connect');
  const normal = probs.normal.map((row) => [...row]);
  const adjusted: AlphaProbs = { ...probs, normal };
  if (skip < 0) return adjusted;
  for (let guard = 0; guard < normal.length; guard++) {
    const { decided } = normalCellSkips(adjusted, space);
    if (decided.length < limit) return adjusted;
    const weakest = decided.reduce((a, b) => (b.lead < a.lead ? b : a));
    normal[probs.edges.indexOf(weakest.edge)][skip] = 0;
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
