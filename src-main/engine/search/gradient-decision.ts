import type { EdgeMargin, GradientDecision } from '../../contract/decision.js';
import { genotypeProbs } from '../space/genotype-probs.js';
import type { AlphaProbs, Genotype, SearchSpace } from '../space/space.types.js';
import { decisionMargin } from './collapse-guard.js';

/** Share of the chosen edges that must lead clearly for 'decided' (and for 'partly'). */
const DECIDED_SHARE = 0.75;
const PARTLY_SHARE = 0.25;

/**
 * How decided a gradient search is: for every edge the genotype keeps, the chosen op's probability against
 * the edge's runner-up, over the ops the derivation compares ('none' is never chosen in DARTS-style
 * cells), renormalised (PC-DARTS' edge betas scale whole rows). A lead of at least 1/K counts as decided.
 */
export function gradientDecision(probs: AlphaProbs, space: SearchSpace, genotype: Genotype): GradientDecision {
  const threshold = decisionMargin(space);
  const chosen = genotypeProbs(genotype, space);
  const none = probs.primitives.indexOf('none');
  const compared = (k: number) => space.name === 'nb201' || space.kind === 'chain' || k !== none;
  const edges: EdgeMargin[] = [];
  for (const cell of space.cellTypes) {
    const rows = probs[cell];
    const picks = chosen[cell];
    if (!rows || !picks) continue;
    picks.forEach((pick, e) => {
      const op = pick.indexOf(1);
      const row = rows[probs.edges.indexOf(chosen.edges[e])];
      if (op < 0 || !row) return;
      const total = row.reduce((sum, v, k) => (compared(k) ? sum + v : sum), 0) || 1;
      let runnerUp = -1;
      row.forEach((v, k) => {
        if (k !== op && compared(k) && (runnerUp < 0 || v > row[runnerUp])) runnerUp = k;
      });
      const p = row[op] / total;
      const q = runnerUp >= 0 ? row[runnerUp] / total : 0;
      edges.push({ cell, edge: chosen.edges[e], op: probs.primitives[op], probability: p, runnerUp: runnerUp >= 0 ? probs.primitives[runnerUp] : '', margin: p - q });
    });
  }
  const decidedEdges = edges.filter((m) => m.margin >= threshold).length;
  const totalEdges = edges.length;
  const share = totalEdges ? decidedEdges / totalEdges : 0;
  const lead = `(a lead of at least ${threshold.toFixed(2)} in probability over the runner-up)`;
  const verdict = share >= DECIDED_SHARE ? 'decided' : share >= PARTLY_SHARE ? 'partly' : 'undecided';
  const message = {
    decided: `${decidedEdges} of ${totalEdges} chosen operations lead their edge clearly ${lead}: the search has decided.`,
    partly: `${decidedEdges} of ${totalEdges} chosen operations lead their edge clearly ${lead}; on the other ${totalEdges - decidedEdges} the runner-up is close, so those choices are nearer a coin toss.`,
    undecided:
      `Only ${decidedEdges} of ${totalEdges} chosen operations lead their edge clearly ${lead}: within this budget the search could not ` +
      'separate the candidates on your data, so the cell is close to a random draw. The default search (rank and race) or a larger budget decides better.',
  }[verdict];
  return { method: 'gradient', edges, decidedEdges, totalEdges, threshold, verdict, message };
}
