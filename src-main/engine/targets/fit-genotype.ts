import type { DerivedModelOptions } from '../derive/build-derived-model.js';
import { nb201Connected } from '../space/sample-genotype.js';
import { edgeName } from '../space/spaces.js';
import type { AlphaProbs, Genotype, SearchSpace } from '../space/space.types.js';
import { noFitError, type TargetCheck } from './target-check.js';

/** One chosen operation of a genotype: which cell and edge, and where it sits in the genotype. */
interface Slot {
  cell: 'normal' | 'reduce';
  edge: string;
  read(g: Genotype): string;
  write(g: Genotype, op: string): void;
}

function slotsOf(g: Genotype, space: SearchSpace): Slot[] {
  if (g.format === 'darts') {
    return (['normal', 'reduce'] as const).flatMap((cell) =>
      g[cell].ops.map(([, from], i): Slot => ({
        cell,
        edge: edgeName(space.topology.inputs + Math.floor(i / 2), from),
        read: (x) => (x as typeof g)[cell].ops[i][0],
        write: (x, op) => ((x as typeof g)[cell].ops[i][0] = op),
      })),
    );
  }
  if (g.format === 'nb201') {
    return g.nodes.flatMap((incoming, k) =>
      incoming.map(([, from], j): Slot => ({
        cell: 'normal',
        edge: edgeName(k + 1, from),
        read: (x) => (x as typeof g).nodes[k][j][0],
        write: (x, op) => ((x as typeof g).nodes[k][j][0] = op),
      })),
    );
  }
  return g.blocks.map((_, b): Slot => ({
    cell: 'normal',
    edge: edgeName(b + 1, b),
    read: (x) => (x as typeof g).blocks[b],
    write: (x, op) => ((x as typeof g).blocks[b] = op),
  }));
}

export interface FittedGenotype {
  genotype: Genotype;
  /** "normal 2<-0: sep_conv_5x5 → dil_conv_3x3" for every operation that changed; empty when it already fit. */
  changes: string[];
}

/**
 * Makes a derived genotype fit the target: while it is over the SRAM or flash limit, every chosen operation
 * is offered its edge's next-most-likely operation (by the search's probabilities) among those that bring
 * the model closer to the limits, and the swap that gives up the least probability is made. DARTS-style
 * cells never take 'none' (their derivation excludes it); an NB201 cell may, while its input still reaches
 * its output. Throws, naming the target and its limits, when no swap helps and the model still does not fit.
 */
export function fitGenotype(genotype: Genotype, probs: AlphaProbs, space: SearchSpace, check: TargetCheck, model: DerivedModelOptions): FittedGenotype {
  const original = genotype;
  let current = structuredClone(genotype);
  let over = check.overshoot(current);
  const p = (slot: Slot, op: string): number => {
    const row = probs[slot.cell]?.[probs.edges.indexOf(slot.edge)];
    return row?.[probs.primitives.indexOf(op)] ?? 0;
  };
  const allowed = (op: string) => op !== 'none' || space.name === 'nb201';
  while (over > 0) {
    let best: { next: Genotype; loss: number; over: number } | undefined;
    for (const slot of slotsOf(current, space)) {
      const now = slot.read(current);
      // Most likely first; on equal probability the primitive listed first in the space.
      const alternatives = space.primitives.filter((op) => op !== now && allowed(op)).sort((a, b) => p(slot, b) - p(slot, a));
      for (const op of alternatives) {
        const next = structuredClone(current);
        slot.write(next, op);
        if (next.format === 'nb201' && !nb201Connected(next)) continue;
        let o: number;
        try {
          o = check.overshoot(next);
        } catch {
          continue; // not a buildable genotype (e.g. a chain block that must change the width)
        }
        if (o >= over) continue;
        const loss = p(slot, now) - p(slot, op);
        if (!best || loss < best.loss || (loss === best.loss && o < best.over)) best = { next, loss, over: o };
        break;
      }
    }
    if (!best) throw noFitError(check, check.cost(current), `No ${space.name} cell the search can derive`, model);
    current = best.next;
    over = best.over;
  }
  const before = slotsOf(original, space);
  const changes = slotsOf(current, space).flatMap((slot, i) => {
    const was = before[i].read(original);
    const now = slot.read(current);
    return was === now ? [] : [`${slot.cell} ${slot.edge}: ${was} → ${now}`];
  });
  return { genotype: changes.length ? current : original, changes };
}
