import { parseEdgeName } from '../space/spaces.js';
import type { AlphaProbs, ChainGenotype, DartsCellGenotype, DartsGenotype, Genotype, Nb201Genotype, SearchSpace } from '../space/space.types.js';

/** Index of the largest value among `allowed` columns; the first wins a tie, so results are stable. */
function argmax(row: number[], allowed: (k: number) => boolean): number {
  let best = -1;
  for (let k = 0; k < row.length; k++) if (allowed(k) && (best < 0 || row[k] > row[best])) best = k;
  if (best < 0) throw new Error('Cannot derive a genotype: an edge has no eligible op');
  return best;
}

function matrixFor(probs: AlphaProbs, type: 'normal' | 'reduce', space: SearchSpace): number[][] {
  const m = type === 'normal' ? probs.normal : probs.reduce;
  if (!m) throw new Error(`Cannot derive a ${space.name} genotype: the alpha probabilities have no ${type} matrix`);
  if (m.length !== probs.edges.length) throw new Error(`Cannot derive a genotype: ${type} has ${m.length} rows for ${probs.edges.length} edges`);
  m.forEach((row, r) => {
    if (row.length !== probs.primitives.length) {
      throw new Error(`Cannot derive a genotype: ${type} row ${r} (edge ${probs.edges[r]}) has ${row.length} values for ${probs.primitives.length} primitives`);
    }
  });
  return m;
}

/** DARTS rule: per node keep the 2 incoming edges whose strongest non-none op is strongest, ordered strongest first. */
function deriveDartsCell(probs: AlphaProbs, m: number[][], space: SearchSpace): DartsCellGenotype {
  const { inputs, steps } = space.topology;
  const none = probs.primitives.indexOf('none');
  const notNone = (k: number) => k !== none;
  const edges = probs.edges.map((name, row) => ({ ...parseEdgeName(name), row }));
  const ops: [string, number][] = [];
  for (let node = inputs; node < inputs + steps; node++) {
    const incoming = edges
      .filter((e) => e.to === node)
      .map((e) => {
        const best = argmax(m[e.row], notNone);
        return { from: e.from, best, strength: m[e.row][best] };
      });
    if (incoming.length < 2) throw new Error(`Cannot derive a DARTS cell: node ${node} has ${incoming.length} incoming edges in the alphas, needs 2`);
    // Array.prototype.sort is stable: on equal strength the earlier input wins.
    incoming.sort((a, b) => b.strength - a.strength);
    for (const e of incoming.slice(0, 2)) ops.push([probs.primitives[e.best], e.from]);
  }
  return { ops, concat: Array.from({ length: steps }, (_, i) => inputs + i) };
}

/**
 * NB201 keeps "none" in the argmax, so a cell can come out with no path from its input to its output:
 * a network that computes nothing (seen on denoising, where the zero-initialised residual makes "none"
 * attractive early). Then the input-to-output path that gives up the least alpha mass is opened: on each
 * of its edges that chose "none", the strongest other op replaces it. A connected argmax is kept as is.
 */
function connectNb201Output(picked: Map<string, number>, m: number[][], rowOf: (name: string) => number, none: number, space: SearchSpace): void {
  const { inputs, steps, edges } = space.topology;
  const last = inputs + steps - 1;
  const reached = new Set([0]);
  for (let node = inputs; node <= last; node++) {
    if (edges.some((e) => e.to === node && reached.has(e.from) && picked.get(e.name) !== none)) reached.add(node);
  }
  if (reached.has(last)) return;
  // Longest path by cost: 0 for an edge kept as picked, log(p_best_other / p_none) (≤ 0) for one switched.
  const best: { cost: number; via?: { edge: string; from: number; op: number } }[] = [{ cost: 0 }];
  for (let node = inputs; node <= last; node++) {
    best[node] = { cost: -Infinity };
    for (const e of edges.filter((x) => x.to === node).sort((a, b) => a.from - b.from)) {
      if (!best[e.from] || best[e.from].cost === -Infinity) continue;
      const row = m[rowOf(e.name)];
      const op = picked.get(e.name) !== none ? picked.get(e.name)! : argmax(row, (k) => k !== none);
      const step = op === picked.get(e.name) ? 0 : Math.log(Math.max(row[op], 1e-30) / Math.max(row[none], 1e-30));
      if (best[e.from].cost + step > best[node].cost) best[node] = { cost: best[e.from].cost + step, via: { edge: e.name, from: e.from, op } };
    }
  }
  for (let node = last; node !== 0; ) {
    const via = best[node].via!;
    picked.set(via.edge, via.op);
    node = via.from;
  }
}

/** Turns exported alpha probabilities into the discrete architecture the space's literature derives. */
export function deriveGenotype(probs: AlphaProbs, space: SearchSpace): Genotype {
  const unknown = probs.primitives.filter((p) => !space.primitives.includes(p));
  if (unknown.length > 0) throw new Error(`Cannot derive a ${space.name} genotype: primitives ${unknown.join(', ')} are not in the space`);
  const expectedEdges = space.topology.edges.map((e) => e.name);
  const missing = expectedEdges.filter((e) => !probs.edges.includes(e));
  if (missing.length > 0) throw new Error(`Cannot derive a ${space.name} genotype: the alphas lack edges ${missing.join(', ')}`);
  const any = () => true;

  if (space.name === 'darts' || space.name === 'har1d') {
    const g: DartsGenotype = {
      format: 'darts',
      normal: deriveDartsCell(probs, matrixFor(probs, 'normal', space), space),
      reduce: deriveDartsCell(probs, matrixFor(probs, 'reduce', space), space),
    };
    return g;
  }
  const m = matrixFor(probs, 'normal', space);
  const rowOf = (name: string) => probs.edges.indexOf(name);
  if (space.name === 'nb201') {
    const { inputs, steps } = space.topology;
    const picked = new Map(space.topology.edges.map((e) => [e.name, argmax(m[rowOf(e.name)], any)]));
    connectNb201Output(picked, m, rowOf, probs.primitives.indexOf('none'), space);
    const nodes: [string, number][][] = [];
    for (let node = inputs; node < inputs + steps; node++) {
      const incoming = space.topology.edges.filter((e) => e.to === node).sort((a, b) => a.from - b.from);
      nodes.push(incoming.map((e): [string, number] => [probs.primitives[picked.get(e.name)!], e.from]));
    }
    const g: Nb201Genotype = { format: 'nb201', nodes };
    return g;
  }
  const g: ChainGenotype = { format: 'chain', blocks: space.topology.edges.map((e) => probs.primitives[argmax(m[rowOf(e.name)], any)]) };
  return g;
}
