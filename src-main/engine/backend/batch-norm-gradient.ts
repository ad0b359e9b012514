import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-core's FusedBatchNorm gradient tiles the per-channel 1/sqrt(var+eps) up to the full input shape
 * before multiplying: a full-size copy per batch-norm layer per step, the most expensive kernel of a
 * supernet step on wasm. Broadcasting gives the same numbers without the copy. Same inputs, same
 * outputs, same math; only the Tile is gone.
 */
let registered = false;

export function registerBatchNormGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const grad = dy as tf.Tensor;
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      const [x, mean, variance, scale] = saved;
      const scaleValue = scale ?? tf.scalar(1);
      // Axes over which a per-channel (rank-1) statistic was broadcast: all but the last.
      const axes = mean.rank === 1 ? x.shape.slice(0, -1).map((_, i) => i) : [];
      const reduce = (t: tf.Tensor) => tf.reshape(axes.length ? tf.sum(t, axes) : t, mean.shape);
      const rstd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const dyScaled = tf.mul(grad, scaleValue);
      return {
        x: () => tf.mul(dyScaled, rstd),
        mean: () => reduce(tf.neg(tf.mul(dyScaled, rstd))),
        variance: () => reduce(tf.mul(tf.mul(tf.sub(x, mean), dyScaled), tf.mul(tf.pow(rstd, 3), tf.scalar(-0.5)))),
        scale: () => reduce(tf.mul(grad, tf.mul(tf.sub(x, mean), rstd))),
        offset: () => reduce(grad),
      };
    },
  });
}
