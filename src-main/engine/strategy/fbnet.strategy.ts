import * as tf from '@tensorflow/tfjs';
import type { CellType, EdgeInstance, EdgeWeights } from '../supernet/supernet.types.js';
import { withNoZeros } from '../supernet/known-edge-values.js';
import { gumbelSoftmax, rowArgmax, straightThrough } from './sampling.js';
import type { Alphas, Strategy, StrategyContext, SupernetInfo } from './strategy.types.js';

/** Latency of one primitive on one edge instance, in ms (the hardware profile's table plugs in here). */
export type LatencyLookup = (primitive: string, edge: EdgeInstance) => number;

export interface FbnetOptions {
  latencyOf: LatencyLookup;
  /** Target latency in the lookup's unit (ms). */
  targetMs: number;
  /** Weight of the latency term. */
  latencyWeight?: number;
  /**
   * 'multiplicative': loss · (1 + w·log(E[lat] / target)) — the FBNet/MnasNet form, scale-free in the
   * loss; 'additive': loss + w · E[lat] / target.
   */
  mode?: 'multiplicative' | 'additive';
  /** Hard (straight-through) samples instead of soft Gumbel-softmax weights. */
  hard?: boolean;
  /** FBNet's temperature: tau0 · decay^epoch. */
  tau0?: number;
  tauDecay?: number;
  /** Trainable parameters of one primitive on one edge instance (the latency table's `params`). */
  paramsOf?: LatencyLookup;
  /**
   * Size budget of the derived model (parameters). Above it, a penalty on the expected parameter count
   * under the alphas, in the latency term's form: 'multiplicative' loss · w · max(0, log(E[params] / budget)),
   * 'additive' w · max(0, E[params] / budget − 1). Under the budget the penalty and its gradient are 0.
   */
  maxParams?: number;
  /** Weight of the size penalty (default 1). */
  paramsWeight?: number;
}

/** A scalar's value, read with an awaited read (GPU backends have no synchronous one); the tensor is disposed. */
async function readScalar(t: tf.Scalar): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

export function fbnetTau(epoch: number, tau0 = 5, decay = 0.956): number {
  return tau0 * decay ** epoch;
}

/** The paper's 90-epoch decay spread over the search's progress (0..1): a short search anneals too. */
export function fbnetTauAt(progress: number, tau0 = 5, decay = 0.956): number {
  return fbnetTau(90 * Math.min(1, Math.max(0, progress)), tau0, decay);
}

/**
 * FBNet: Gumbel-softmax edge weights plus a latency term. Expected latency is
 * Σ_cells Σ_edges Σ_ops softmax(α)·latency[op] (the deterministic distribution, not the noisy sample, so
 * the term has no sampling variance); summed over every cell instance sharing the cell type's alphas.
 * With a size budget (maxParams), the expected parameter count enters the loss the same way, as a hinge
 * that is 0 under the budget.
 */
export function fbnetStrategy(options: FbnetOptions): Strategy & { expectedParams(alphas: Alphas): Promise<number> } {
  const { latencyOf, targetMs, latencyWeight = 0.2, mode = 'multiplicative', hard = false, tau0 = 5, tauDecay = 0.956, paramsOf, maxParams, paramsWeight = 1 } = options;
  if (!(targetMs > 0)) throw new Error(`FBNet: the latency target must be positive, got ${targetMs}`);
  if (maxParams !== undefined && !(maxParams > 0)) throw new Error(`FBNet: the size budget (maxParams) must be positive, got ${maxParams}`);
  if (maxParams !== undefined && !paramsOf) throw new Error('FBNet: a size budget (maxParams) needs the parameters of every op (paramsOf)');
  const tables = new Map<CellType, Float32Array>();
  const paramTables = new Map<CellType, Float32Array>();
  let shape: [number, number] = [0, 0];

  /** Σ over cell types of Σ softmax(α) · table: the expectation of a per-op quantity under the alphas. */
  const expectation = (alphas: Alphas, of: Map<CellType, Float32Array>, what: string): tf.Scalar => {
    if (of.size === 0) throw new Error(`FBNet: attach(supernet) must run before the ${what} term is used`);
    const terms = (Object.entries(alphas) as [CellType, tf.Tensor2D][]).map(([type, alpha]) =>
      tf.sum(tf.mul(tf.softmax(alpha), tf.tensor2d(of.get(type) as Float32Array, shape))),
    );
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
  };
  const expected = (alphas: Alphas) => expectation(alphas, tables, 'latency');

  const sizePenalty = (taskLoss: tf.Scalar, alphas: Alphas): tf.Scalar | undefined => {
    if (maxParams === undefined) return undefined;
    const ratio = tf.div(expectation(alphas, paramTables, 'size'), maxParams);
    if (mode === 'additive') return tf.mul(tf.relu(tf.sub(ratio, 1)), paramsWeight) as tf.Scalar;
    return tf.mul(taskLoss, tf.mul(tf.relu(tf.log(ratio)), paramsWeight)) as tf.Scalar;
  };

  return {
    name: 'fbnet',
    trainsAlphas: true,
    attach(supernet: SupernetInfo): void {
      shape = [supernet.edgeNames.length, supernet.primitives.length];
      for (const type of supernet.cellTypes) tables.set(type, new Float32Array(shape[0] * shape[1]));
      if (paramsOf) for (const type of supernet.cellTypes) paramTables.set(type, new Float32Array(shape[0] * shape[1]));
      for (const edge of supernet.edgeInstances()) {
        const table = tables.get(edge.cellType) as Float32Array;
        const paramTable = paramTables.get(edge.cellType);
        supernet.primitives.forEach((p, k) => {
          const ms = latencyOf(p, edge);
          if (!Number.isFinite(ms) || ms < 0) throw new Error(`FBNet: the latency table gave ${ms} for ${p} on edge ${edge.edge} of cell ${edge.cellIndex}`);
          table[edge.row * shape[1] + k] += ms;
          if (!paramsOf || !paramTable) return;
          const params = paramsOf(p, edge);
          if (!Number.isFinite(params) || params < 0) throw new Error(`FBNet: the parameter lookup gave ${params} for ${p} on edge ${edge.edge} of cell ${edge.cellIndex}`);
          paramTable[edge.row * shape[1] + k] += params;
        });
      }
    },
    edgeWeights(alphas: Alphas, ctx: StrategyContext): EdgeWeights {
      const out: EdgeWeights = {};
      for (const [type, alpha] of Object.entries(alphas) as [CellType, tf.Tensor2D][]) {
        if (!ctx.training) {
          out[type] = withNoZeros(tf.softmax(alpha) as tf.Tensor2D);
          continue;
        }
        const { soft, noisy } = gumbelSoftmax(alpha, ctx.progress !== undefined ? fbnetTauAt(ctx.progress, tau0, tauDecay) : fbnetTau(ctx.epoch, tau0, tauDecay), ctx.rng, ctx.alphaValues?.[type]);
        out[type] = hard ? straightThrough(soft, rowArgmax(noisy, alpha.shape[0], alpha.shape[1])) : withNoZeros(soft);
      }
      return out;
    },
    extraLoss(taskLoss: tf.Scalar, alphas: Alphas): tf.Scalar {
      const ratio = tf.div(expected(alphas), targetMs);
      const latency = mode === 'additive' ? tf.mul(ratio, latencyWeight) : tf.mul(taskLoss, tf.mul(tf.log(ratio), latencyWeight));
      const size = sizePenalty(taskLoss, alphas);
      return (size ? tf.add(latency, size) : latency) as tf.Scalar;
    },
    expectedLatencyMs: (alphas: Alphas) => readScalar(tf.tidy(() => expected(alphas))),
    /** Expected parameters of the derived model under the alphas (NaN without paramsOf). */
    expectedParams: async (alphas: Alphas) => (paramsOf ? readScalar(tf.tidy(() => expectation(alphas, paramTables, 'size'))) : Number.NaN),
  };
}

/**
 * A stand-in latency until a measured table is available: multiply-accumulates of the op on the edge,
 * at `macsPerMs` (a rough 1 GMAC/s default). Pools and skips cost one pass over the input.
 */
export function macLatencyLookup(macsPerMs = 1e6): LatencyLookup {
  return (primitive, edge) => {
    const out = Math.ceil(edge.height / (edge.height > 1 ? edge.stride : 1)) * Math.ceil(edge.width / edge.stride);
    const pixels = out * edge.cIn;
    if (primitive === 'none') return 0;
    const k = Number(/(\d+)(?:x\d+)?$/.exec(primitive.replace(/_e\d+$/, ''))?.[1] ?? 1);
    const kk = edge.height > 1 ? k * k : k;
    let macs: number;
    if (primitive.startsWith('sep_conv')) macs = 2 * pixels * (kk + edge.cOut);
    else if (primitive.startsWith('dil_conv')) macs = pixels * (kk + edge.cOut);
    else if (primitive.startsWith('conv') || primitive.startsWith('nor_conv')) macs = pixels * kk * edge.cOut;
    else if (primitive.startsWith('ir_')) {
      const e = Number(/_e(\d+)$/.exec(primitive)?.[1] ?? 1);
      macs = pixels * e * (edge.cIn + kk + edge.cOut);
    } else macs = pixels * (primitive.includes('pool') ? 9 : 1);
    return macs / macsPerMs;
  };
}
