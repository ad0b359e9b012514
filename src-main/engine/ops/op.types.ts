import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';
import type { EdgeInput } from './edge-input.js';

/**
 * A candidate operation as plain tfjs functions over explicit variables (not tf.layers): the supernet
 * must hand its weight variables to one optimizer and its alphas to another.
 */
export interface Op {
  /**
   * x is NHWC (a HAR window is [B, 1, T, C]). `input` carries pre-activations shared by every op of
   * the same edge (one ReLU per edge instead of one per op); standalone callers may omit it.
   */
  apply(x: tf.Tensor4D, training: boolean, input?: EdgeInput): tf.Tensor4D;
  variables: tf.Variable[];
  /** True for 'none': its output is zeros, so a weighted sum may skip it entirely. */
  isZero?: boolean;
}

export interface OpOptions {
  /** 2 for images; 1 for sensor windows, where kernels, pools and strides act along W (time) only. */
  dims: 1 | 2;
  /** Seeded initialisation, so a search replays exactly. */
  rng: Rng;
  /** DARTS puts an affine-free BN after each pooling op inside the mixed op. */
  bnAfterPool?: boolean;
}

export type OpBuilder = (cIn: number, cOut: number, stride: 1 | 2, options: OpOptions) => Op;

/** Primitive name → builder, one map per search space. */
export type OpRegistry = Readonly<Record<string, OpBuilder>>;
