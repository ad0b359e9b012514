import * as tf from '@tensorflow/tfjs';
import { withNoZeros } from '../supernet/known-edge-values.js';
import type { EdgeWeights } from '../supernet/supernet.types.js';
import type { Alphas, Strategy } from './strategy.types.js';

/** Row-wise softmax of every cell type's alphas (no zero in them: every op of every edge runs). */
export function softmaxEdgeWeights(alphas: Alphas): EdgeWeights {
  const out: EdgeWeights = {};
  for (const [type, a] of Object.entries(alphas) as [keyof Alphas, tf.Tensor2D][]) out[type] = withNoZeros(tf.softmax(a) as tf.Tensor2D);
  return out;
}

/** DARTS (first order): every op of every edge, weighted by softmax(alpha). */
export function dartsStrategy(): Strategy {
  return { name: 'darts', trainsAlphas: true, edgeWeights: (alphas) => softmaxEdgeWeights(alphas) };
}
