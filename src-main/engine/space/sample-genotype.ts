import { deriveGenotype } from '../derive/derive-genotype.js';
import { sampleArchitecture } from '../strategy/random.strategy.js';
import type { Rng } from '../util/rng.js';
import { formatGenotype } from './genotype.js';
import type { Genotype, Nb201Genotype, SearchSpace } from './space.types.js';

/** Whether an NB201 cell has a path from its input to its output that passes no 'none' edge. */
export function nb201Connected(g: Nb201Genotype): boolean {
  const reached = [true];
  g.nodes.forEach((incoming, k) => {
    reached[k + 1] = incoming.some(([op, from]) => op !== 'none' && reached[from]);
  });
  return reached[g.nodes.length];
}

/**
 * One architecture of the space, uniformly at random among those that compute something: DARTS-style
 * cells pick 2 distinct inputs per node with a non-'none' op each; NB201 cells whose every path holds a
 * 'none' are drawn again (they cannot be built).
 */
export function sampleGenotype(space: SearchSpace, rng: Rng): Genotype {
  for (;;) {
    const sample = sampleArchitecture(space, rng);
    const probs = { primitives: space.primitives, edges: space.topology.edges.map((e) => e.name), normal: sample.normal ?? [], ...(sample.reduce ? { reduce: sample.reduce } : {}) };
    if (space.name === 'nb201') {
      // Read the drawn ops directly: deriveGenotype would repair a disconnected cell instead of rejecting it.
      const pick = (name: string) => space.primitives[probs.normal[probs.edges.indexOf(name)].indexOf(1)];
      const nodes = [1, 2, 3].map((to) => Array.from({ length: to }, (_, from): [string, number] => [pick(`${to}<-${from}`), from]));
      const g: Nb201Genotype = { format: 'nb201', nodes };
      if (nb201Connected(g)) return g;
      continue;
    }
    return deriveGenotype(probs, space);
  }
}

/** `count` distinct genotypes (as literature strings), uniformly at random. */
export function sampleDistinctGenotypes(space: SearchSpace, count: number, rng: Rng): string[] {
  const seen = new Set<string>();
  for (let tries = 0; seen.size < count && tries < count * 50; tries++) seen.add(formatGenotype(sampleGenotype(space, rng)));
  return [...seen];
}
