import type { AlphaProbs, Genotype, SearchSpace } from './space.types.js';
import { edgeName } from './spaces.js';

/**
 * A discrete genotype as edge probabilities: 1 on each kept edge's op, rows of zeros on edges the cell
 * does not use. What result.json's `alphas` holds for a search that ranks architectures instead of
 * training alphas, so every reader of `alphas` sees the chosen cell.
 */
export function genotypeProbs(g: Genotype, space: SearchSpace): AlphaProbs {
  const edges = space.topology.edges.map((e) => e.name);
  const empty = () => edges.map(() => space.primitives.map(() => 0));
  const set = (m: number[][], edge: string, op: string) => {
    const row = edges.indexOf(edge);
    const col = space.primitives.indexOf(op);
    if (row < 0 || col < 0) throw new Error(`genotypeProbs: ${op} on ${edge} is not in the ${space.name} space`);
    m[row][col] = 1;
  };
  if (g.format === 'darts') {
    const cell = (c: typeof g.normal) => {
      const m = empty();
      c.ops.forEach(([op, from], i) => set(m, edgeName(space.topology.inputs + Math.floor(i / 2), from), op));
      return m;
    };
    return { primitives: space.primitives, edges, normal: cell(g.normal), reduce: cell(g.reduce) };
  }
  const m = empty();
  if (g.format === 'nb201') g.nodes.forEach((incoming, k) => incoming.forEach(([op, from]) => set(m, edgeName(k + 1, from), op)));
  else g.blocks.forEach((op, b) => set(m, edgeName(b + 1, b), op));
  return { primitives: space.primitives, edges, normal: m };
}
