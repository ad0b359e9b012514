import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormAvailable, fusedBatchNormTraining } from './wasm-batch-norm.js';

/**
 * tf.layers.batchNormalization in training mode computes tf.moments and then tf.batchNorm, so autodiff
 * walks FusedBatchNorm's gradient and then back through the moments (Mean, Sub, Square), about twenty
 * full-size elementwise passes per layer and step: the largest share of a derived DARTS model's step on
 * wasm. Here the training branch (last-axis BN with scale and center, the only kind the derived models
 * build) is one op with the closed-form gradient
 *   dx = gamma·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)),  dgamma = Σ dy·x̂,  dbeta = Σ dy,
 * about eight passes; on wasm it is two fused kernels (wasm-batch-norm.ts). Same outputs, same
 * moving-average updates; every other case runs the original.
 */

interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[];
}

const PATCHED = Symbol.for('nas-studio.backend.batch-norm-layer-training');

/**
 * Batch norm over all axes but the last, with its batch statistics: y, and the batch mean and (biased)
 * variance for the moving averages (kept: the caller disposes them). The gradient flows to x, gamma and beta only.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  if (fusedBatchNormAvailable()) return fusedBatchNormTraining(x, gamma, beta, epsilon);
  return composedBatchNormTraining(x, gamma, beta, epsilon);
}

/** batchNormTraining from tfjs ops, for every backend (and the reference the fused kernels are tested against). */
export function composedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const stats: tf.Tensor[] = [];
  const forward = (xIn: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xIn, axes);
    stats.push(tf.keep(mean), tf.keep(variance));
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xIn, mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, r, gam] = saved;
        const dbeta = tf.sum(dy, axes);
        const dgamma = tf.sum(tf.mul(dy, xh), axes);
        const count = x.size / x.shape[x.shape.length - 1];
        const scale = tf.mul(gam, r);
        // dx = scale·dy − x̂·(scale·dgamma/N) − scale·dbeta/N
        const dx = tf.sub(tf.sub(tf.mul(dy, scale), tf.mul(xh, tf.mul(scale, dgamma).div(count))), tf.mul(scale, dbeta).div(count));
        return [dx, dgamma, dbeta];
      },
    };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as (...t: tf.Tensor[]) => tf.Tensor;
  const y = op(x, gamma, beta);
  const [mean, variance] = stats;
  return { y, mean, variance };
}

/** Routes tf.layers.batchNormalization's training branch through batchNormTraining (idempotent). */
export function patchBatchNormLayerTraining(): void {
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as BatchNormLayer & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const originalCall = proto.call;
  proto.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = (Array.isArray(inputs) ? inputs[0] : inputs);
    const lastAxis = this.axis === -1 || this.axis === input.rank - 1;
    if (!kwargs?.training || !lastAxis || input.rank < 2 || input.dtype !== 'float32' || !this.gamma || !this.beta) {
      return originalCall.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(input, this.gamma!.read(), this.beta!.read(), this.epsilon);
      for (const [variable, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)));
        });
      }
      tf.dispose([mean, variance]); // kept by batchNormTraining past the op's scope
      return y;
    });
  };
  proto[PATCHED] = true;
}
