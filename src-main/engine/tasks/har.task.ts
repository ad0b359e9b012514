import * as tf from '@tensorflow/tfjs';
import type { ArrayDataset } from '../data/dataset.types.js';
import type { Task } from './task.types.js';

/** Per-channel mean and standard deviation of sensor windows, from the training split only. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/**
 * Mean and standard deviation per channel over every sample of every window of a [N, T, C] dataset
 * (float64 accumulation; a flat channel gets std 1 so standardising never divides by zero).
 */
export function computeChannelStats(ds: ArrayDataset): ChannelStats {
  const C = ds.xShape[ds.xShape.length - 1];
  const count = ds.x.length / C;
  if (count === 0) throw new Error(`${ds.name}: no samples to compute channel statistics from`);
  const sum = new Float64Array(C), sum2 = new Float64Array(C);
  for (let i = 0; i < ds.x.length; i++) {
    const v = ds.x[i];
    sum[i % C] += v;
    sum2[i % C] += v * v;
  }
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sum2, (s2, c) => {
    const sd = Math.sqrt(Math.max(0, s2 / count - mean[c] ** 2));
    return sd > 1e-8 ? sd : 1;
  });
  return { mean, std };
}

/**
 * Activity recognition on sensor windows: a window [T, C] is an image of height 1, [1, T, C], so every
 * model (and TFLite) sees 2-D convs with 1×k kernels. Inputs are standardised per channel with
 * statistics from the training split when given; softmax cross-entropy; accuracy as the score.
 */
export function harTask(windowLength: number, channels: number, numClasses: number, stats?: ChannelStats): Task {
  if (stats && (stats.mean.length !== channels || stats.std.length !== channels))
    throw new Error(`har task: channel statistics have ${stats.mean.length} channels, the windows have ${channels}`);
  const inputShape = [1, windowLength, channels];
  return {
    kind: 'har',
    dims: 1,
    inputShape,
    numClasses,
    // tidy: only input and target outlive the call, even when the caller is not inside a tidy
    makeBatch: (x, y) =>
      tf.tidy(() => {
        let input = x.reshape([x.shape[0], 1, windowLength, channels]);
        if (stats) input = input.sub(tf.tensor1d(stats.mean)).div(tf.tensor1d(stats.std));
        return { input, target: tf.oneHot(tf.cast(y, 'int32'), numClasses) };
      }),
    loss: (logits, oneHot) => tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar,
    batchScore: (logits, oneHot) => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(oneHot, -1)), 'float32')) as tf.Scalar,
    scoreName: 'accuracy',
  };
}
