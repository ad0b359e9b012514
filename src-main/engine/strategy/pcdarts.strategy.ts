import * as tf from '@tensorflow/tfjs';
import type { AlphaProbs, SearchSpace } from '../space/space.types.js';
import { withNoZeros } from '../supernet/known-edge-values.js';
import type { CellType, EdgeWeights } from '../supernet/supernet.types.js';
import { Rng } from '../util/rng.js';
import type { Alphas, Strategy, SupernetInfo } from './strategy.types.js';

export interface PcDartsOptions {
  space: SearchSpace;
  /** 1/K of the channels pass through the candidate ops (PC-DARTS uses K = 4). */
  partialChannels?: number;
  seed: number;
}

/** Consecutive edge rows entering each node (the spaces list edges grouped by target node). */
function nodeGroups(space: SearchSpace): { start: number; size: number }[] {
  const groups: { start: number; size: number; to: number }[] = [];
  space.topology.edges.forEach((e, row) => {
    const last = groups[groups.length - 1];
    if (last && last.to === e.to && last.start + last.size === row) last.size++;
    else {
      if (groups.some((g) => g.to === e.to)) throw new Error(`PC-DARTS: the edges into node ${e.to} of the ${space.name} space are not consecutive`);
      groups.push({ start: row, size: 1, to: e.to });
    }
  });
  return groups;
}

/**
 * PC-DARTS: softmax over ops as DARTS, partial channels in the supernet (1/K through the ops, channel
 * shuffle after), and edge normalisation: each node weights its incoming edges by softmax(β) over
 * them. Since a mixed op is linear in its weights, β̃_e is folded into edge e's row — the supernet
 * needs no knowledge of β.
 */
export function pcDartsStrategy(options: PcDartsOptions): Strategy {
  const { space } = options;
  // Chain blocks change their channel count, which partial channels cannot bypass.
  const partialChannels = space.kind === 'chain' ? 1 : (options.partialChannels ?? 4);
  const groups = nodeGroups(space);
  const rng = new Rng(options.seed ^ 0x5bd1e995);
  const betas = new Map<CellType, tf.Variable>();
  for (const type of space.cellTypes) {
    const values = new Float32Array(space.topology.edges.length);
    for (let i = 0; i < values.length; i++) values[i] = 1e-3 * rng.normal();
    betas.set(type, tf.variable(tf.tensor1d(values), true));
  }

  const edgeScale = (beta: tf.Tensor1D): tf.Tensor2D => {
    const parts = groups.map((g) => tf.softmax(tf.slice(beta, g.start, g.size)));
    return tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts), [-1, 1]);
  };

  return {
    name: 'pcdarts',
    trainsAlphas: true,
    supernetOptions: { partialChannels },
    archVars: () => [...betas.values()],
    edgeWeights(alphas: Alphas): EdgeWeights {
      const out: EdgeWeights = {};
      for (const [type, alpha] of Object.entries(alphas) as [CellType, tf.Tensor2D][]) {
        const beta = betas.get(type);
        if (!beta) throw new Error(`PC-DARTS: no edge betas for cell type "${type}"`);
        out[type] = withNoZeros(tf.mul(tf.softmax(alpha), edgeScale(beta as tf.Tensor1D)) as tf.Tensor2D);
      }
      return out;
    },
    /** The genotype ranks edges by softmax(α)·β̃, as PC-DARTS derives it. */
    async derivationProbs(supernet: SupernetInfo): Promise<AlphaProbs> {
      const probs = await supernet.alphaProbs();
      for (const type of supernet.cellTypes) {
        const scaleTensor = tf.tidy(() => edgeScale(betas.get(type) as tf.Tensor1D));
        const scale = await scaleTensor.data();
        scaleTensor.dispose();
        const m = probs[type];
        if (m) probs[type] = m.map((row, e) => row.map((p) => p * scale[e]));
      }
      return probs;
    },
    dispose: () => betas.forEach((b) => b.dispose()),
  };
}
