import { getSpace } from '../space/spaces.js';
import type { Genotype, SpaceName } from '../space/space.types.js';
import type { Rng } from '../util/rng.js';

/** A uniformly random architecture of a space (DARTS-style cells: two distinct inputs per node, no "none"). */
export function randomGenotype(space: SpaceName, rng: Rng, options: { nodes?: number; blocks?: number; primitives?: readonly string[] } = {}): Genotype {
  const s = getSpace(space, space === 'chain' ? { blocks: options.blocks } : { nodes: options.nodes });
  const ops = (options.primitives ?? s.primitives).filter((p) => p !== 'none');
  const pick = () => ops[rng.int(ops.length)];
  if (s.kind === 'chain') return { format: 'chain', blocks: s.topology.edges.map(pick) };
  if (space === 'nb201') return { format: 'nb201', nodes: [1, 2, 3].map((j) => Array.from({ length: j }, (_, i) => [pick(), i] as [string, number])) };
  const cell = () => {
    const pairs: [string, number][] = [];
    for (let node = 2; node < 2 + s.topology.steps; node++) {
      const a = rng.int(node);
      let b = rng.int(node - 1);
      if (b >= a) b++;
      pairs.push([pick(), a], [pick(), b]);
    }
    return { ops: pairs, concat: Array.from({ length: s.topology.steps }, (_, i) => i + 2) };
  };
  return { format: 'darts', normal: cell(), reduce: cell() };
}
