import * as tf from '@tensorflow/tfjs';
import type { EdgeWeights } from '../supernet/supernet.types.js';
import { gumbelSoftmax, hostAlphas, rowArgmax, straightThrough } from './sampling.js';
import type { Alphas, Strategy, StrategyContext } from './strategy.types.js';

export interface GdasOptions {
  tauMax?: number;
  tauMin?: number;
}

/** GDAS's temperature: linear from tauMax at the first epoch to tauMin at the last. */
export function gdasTau(epoch: number, epochs: number, tauMax = 10, tauMin = 0.1): number {
  if (epochs <= 1) return tauMax;
  return tauMax - ((tauMax - tauMin) * Math.min(epoch, epochs - 1)) / (epochs - 1);
}

/** The same line over the search's progress (0..1), step by step. */
export function gdasTauAt(progress: number, tauMax = 10, tauMin = 0.1): number {
  return tauMax - (tauMax - tauMin) * Math.min(1, Math.max(0, progress));
}

/**
 * GDAS: per edge, a hard Gumbel-softmax sample. The forward pass sees a one-hot row, so the supernet
 * computes one op per edge; the straight-through estimator gives the alphas softmax((α+g)/τ)'s gradient.
 * When not training, the argmax of the alphas (no noise).
 */
export function gdasStrategy(options: GdasOptions = {}): Strategy {
  const { tauMax = 10, tauMin = 0.1 } = options;
  return {
    name: 'gdas',
    trainsAlphas: true,
    edgeWeights(alphas: Alphas, ctx: StrategyContext): EdgeWeights {
      const out: EdgeWeights = {};
      for (const [type, alpha] of Object.entries(alphas) as [keyof Alphas, tf.Tensor2D][]) {
        const [rows, cols] = alpha.shape;
        if (!ctx.training) {
          out[type] = straightThrough(tf.softmax(alpha) as tf.Tensor2D, rowArgmax(hostAlphas(alpha, ctx.alphaValues?.[type]), rows, cols));
          continue;
        }
        const tau = ctx.progress !== undefined ? gdasTauAt(ctx.progress, tauMax, tauMin) : gdasTau(ctx.epoch, ctx.epochs, tauMax, tauMin);
        const { soft, noisy } = gumbelSoftmax(alpha, tau, ctx.rng, ctx.alphaValues?.[type]);
        out[type] = straightThrough(soft, rowArgmax(noisy, rows, cols));
      }
      return out;
    },
  };
}
