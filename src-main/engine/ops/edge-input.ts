import * as tf from '@tensorflow/tfjs';

/**
 * The input of one edge plus lazily computed, memoised views that several candidate ops share
 * (ReLU, its even-even subsample). Lives for one forward pass, inside the caller's tidy.
 */
export class EdgeInput {
  private reluMemo?: tf.Tensor4D;
  private evenMemo?: tf.Tensor4D;
  private partialMemo?: { channels: number; part: EdgeInput; rest: tf.Tensor4D };

  constructor(
    readonly x: tf.Tensor4D,
    readonly dims: 1 | 2,
  ) {}

  relu(): tf.Tensor4D {
    this.reluMemo ??= tf.relu(this.x);
    return this.reluMemo;
  }

  /** relu(x)[::2, ::2] (HAR: [:, ::2]), with a gradient: a 1×1 max pool of stride 2. */
  reluEven(): tf.Tensor4D {
    this.evenMemo ??= evenSubsample(this.relu(), this.dims);
    return this.evenMemo;
  }

  /**
   * PC-DARTS: the first `channels` channels go through the candidate ops, the rest bypass them. Memoised
   * so all edges leaving one node slice it once.
   */
  partial(channels: number): { part: EdgeInput; rest: tf.Tensor4D } {
    if (!this.partialMemo || this.partialMemo.channels !== channels) {
      const total = this.x.shape[3];
      const [part, rest] = tf.split(this.x, [channels, total - channels], 3) as [tf.Tensor4D, tf.Tensor4D];
      this.partialMemo = { channels, part: new EdgeInput(part, this.dims), rest };
    }
    return { part: this.partialMemo.part, rest: this.partialMemo.rest };
  }
}

/** x[:, ::2, ::2] (or x[:, :, ::2] for 1-D); sizes round up. tf.stridedSlice has no gradient, pooling does. */
export function evenSubsample(x: tf.Tensor4D, dims: 1 | 2): tf.Tensor4D {
  return tf.maxPool(x, [1, 1], dims === 2 ? [2, 2] : [1, 2], 'valid');
}
