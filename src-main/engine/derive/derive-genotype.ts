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
    const nodes: [string, number][][] = [];
    for (let node = inputs; node < inputs + steps; node++) {
      const incoming = space.topology.edges.filter((e) => e.to === node).sort((a, b) => a.from - b.from);
      nodes.push(incoming.map((e): [string, number] => [probs.primitives[argmax(m[rowOf(e.name)], any)], e.from]));
    }
    const g: Nb201Genotype = { format: 'nb201', nodes };
    return g;
  }
  const g: ChainGenotype = { format: 'chain', blocks: space.topology.edges.map((e) => probs.primitives[argmax(m[rowOf(e.name)], any)]) };
  return g;
}
