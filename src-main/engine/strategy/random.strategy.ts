import * as tf from '@tensorflow/tfjs';
import type { SearchSpace } from '../space/space.types.js';
import { withKnownValues } from '../supernet/known-edge-values.js';
import type { EdgeWeights } from '../supernet/supernet.types.js';
import type { Rng } from '../util/rng.js';
import { oneHotRows } from './sampling.js';
import type { EdgeWeightValues, Strategy } from './strategy.types.js';

/**
 * One architecture of the space, uniformly at random, as edge rows: DARTS-style cells pick 2 distinct
 * incoming edges per node with a non-'none' op each (other edges switched off: all-zero rows, which
 * the supernet skips); NAS-Bench-201 and chain spaces pick one op per edge.
 */
export function sampleArchitecture(space: SearchSpace, rng: Rng): EdgeWeightValues {
  const cols = space.primitives.length;
  const out: EdgeWeightValues = {};
  const dartsLike = space.kind === 'cell' && space.name !== 'nb201';
  const none = space.primitives.indexOf('none');
  const ops = space.primitives.map((_, k) => k).filter((k) => k !== none);
  for (const type of space.cellTypes) {
    const choice = space.topology.edges.map(() => -1);
    if (!dartsLike) {
      for (let e = 0; e < choice.length; e++) choice[e] = rng.int(cols);
    } else {
      for (let node = space.topology.inputs; node < space.topology.inputs + space.topology.steps; node++) {
        const incoming = space.topology.edges.map((e, row) => ({ e, row })).filter(({ e }) => e.to === node);
        const picked = rng.shuffle(incoming.map((x) => x.row)).slice(0, 2) as number[];
        for (const row of picked) choice[row] = ops[rng.int(ops.length)];
      }
    }
    out[type] = oneHotRows(choice, cols);
  }
  return out;
}

/** A sampled path's edge weights, with their zeros recorded for the supernet (it skips the ops off the path). */
export function oneHotWeights(rows: number[][]): tf.Tensor2D {
  return withKnownValues(tf.tensor2d(rows), rows.flat());
}

/**
 * Random search with weight sharing (Li & Talwalkar): each step trains one uniformly sampled path;
 * the alphas are never trained. At the end the loop scores `finalCandidates` on the arch split and
 * keeps the best.
 */
export function randomStrategy(space: SearchSpace): Strategy {
  return {
    name: 'random',
    trainsAlphas: false,
    edgeWeights(_alphas, ctx): EdgeWeights {
      const sample = sampleArchitecture(space, ctx.rng);
      const out: EdgeWeights = {};
      for (const type of space.cellTypes) out[type] = oneHotWeights(sample[type] as number[][]);
      return out;
    },
    finalCandidates: (count, rng) => Array.from({ length: count }, () => sampleArchitecture(space, rng)),
  };
}
