import * as tf from '@tensorflow/tfjs';
import type { EdgeInput } from '../ops/edge-input.js';
import type { Op, OpOptions, OpRegistry } from '../ops/op.types.js';

/**
 * One edge of the supernet: Σ_k w_k · op_k(x). Ops whose weight is exactly 0 (and 'none', whose output
 * is 0) are not computed, so a hard one-hot weighting (GDAS, random paths) runs one op per edge, while
 * its straight-through weight still carries the gradient to the alphas. The weighted sum is a multiply
 * per op and one addN: on wasm 4× faster (forward + backward, 7 ops of 64×14×14×8) than one matMul
 * over the stacked outputs, whose concat, split and skinny matMuls cost more than the launches saved.
 */
export class MixedOp {
  readonly ops: Op[];
  readonly variables: tf.Variable[];
  /** Channels through the ops (C/K under partial channels). */
  readonly opChannels: number;
  readonly dims: 1 | 2;

  constructor(
    readonly primitives: readonly string[],
    registry: OpRegistry,
    readonly channels: number,
    readonly stride: 1 | 2,
    private readonly options: OpOptions,
    /** PC-DARTS K: 1/K of the channels go through the ops, the rest bypass them, then a channel shuffle. */
    private readonly partialChannels = 1,
    /** Output channels when they differ from the input's (chain blocks); cells keep C. */
    cOut = channels,
  ) {
    this.dims = options.dims;
    if (partialChannels > 1 && cOut !== channels) throw new Error('supernet: partial channels need equal input and output channels');
    if (partialChannels > 1 && channels % partialChannels !== 0) {
      throw new Error(`supernet: partial channels K=${partialChannels} must divide the ${channels} channels of an edge`);
    }
    this.opChannels = channels / partialChannels;
    this.ops = primitives.map((name) => {
      const builder = registry[name];
      if (!builder) throw new Error(`supernet: no operation "${name}" in the op registry`);
      return builder(this.opChannels, partialChannels > 1 ? this.opChannels : cOut, stride, options);
    });
    this.variables = this.ops.flatMap((op) => op.variables);
  }

  /** Indices of the ops that contribute for these weights (row offset into a flat E×P matrix). */
  activeOps(values: ArrayLike<number>, offset = 0): number[] {
    const active: number[] = [];
    for (let k = 0; k < this.ops.length; k++) if (values[offset + k] !== 0 && !this.ops[k].isZero) active.push(k);
    return active;
  }

  /**
   * `row` is this edge's [1, P] weights; `active` the ops to compute (from activeOps). Returns null when
   * nothing contributes, so node sums can skip the edge (a zero tensor would cost launches for nothing).
   */
  apply(input: EdgeInput, row: tf.Tensor2D, active: number[], training: boolean, auxiliarySkip = 0): tf.Tensor4D | null {
    const y = this.mixedOutput(input, row, active, training);
    // DARTS-: an auxiliary β·x on every stride-1 edge takes the role skip_connect would otherwise win.
    if (auxiliarySkip > 0 && this.stride === 1 && input.x.shape[3] === this.channels && (!y || y.shape[3] === this.channels)) {
      const skip = tf.mul(input.x, auxiliarySkip) as tf.Tensor4D;
      return y ? (tf.add(y, skip) as tf.Tensor4D) : skip;
    }
    return y;
  }

  private mixedOutput(input: EdgeInput, row: tf.Tensor2D, active: number[], training: boolean): tf.Tensor4D | null {
    if (this.partialChannels === 1) return this.weightedSum(input, row, active, training);
    const { part, rest } = input.partial(this.opChannels);
    if (active.length === 0) return null;
    const y = this.weightedSum(part, row, active, training) as tf.Tensor4D;
    const bypass = this.stride === 2 ? tf.maxPool(rest, this.options.dims === 2 ? [2, 2] : [1, 2], this.options.dims === 2 ? [2, 2] : [1, 2], 'same') : rest;
    return channelShuffle(tf.concat([y, bypass], 3), this.partialChannels);
  }

  private weightedSum(input: EdgeInput, row: tf.Tensor2D, active: number[], training: boolean): tf.Tensor4D | null {
    if (active.length === 0) return null;
    const outputs = active.map((k) => this.ops[k].apply(input.x, training, input));
    if (outputs.length === 1) return tf.mul(outputs[0], tf.reshape(tf.slice(row, [0, active[0]], [1, 1]), [])) as tf.Tensor4D;
    const contiguous = active[active.length - 1] - active[0] === active.length - 1;
    const w = contiguous ? tf.slice(row, [0, active[0]], [1, active.length]) : tf.gather(row, active, 1);
    const scalars = tf.unstack(tf.reshape(w, [active.length]));
    return tf.addN(outputs.map((o, i) => tf.mul(o, scalars[i]))) as tf.Tensor4D;
  }
}

/** ShuffleNet channel shuffle over NHWC: interleave the K groups so later edges see other channels. */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [b, h, w, groups, c / groups]);
  return tf.reshape(tf.transpose(grouped, [0, 1, 2, 4, 3]), [b, h, w, c]);
}
