import type * as tf from '@tensorflow/tfjs';

export type TaskKind = 'classification' | 'denoising' | 'har';

/**
 * A task tells the engine what goes in, what comes out and how it is scored; the supernet and the
 * derived model ask it for the stem input shape and the head, the loops ask it for the loss.
 */
export interface Task {
  kind: TaskKind;
  /** Spatial dimensions of a sample: 2 for images [H, W, C], 1 for windows [T, C]. */
  dims: 1 | 2;
  /** Per-sample input shape. */
  inputShape: number[];
  /** Classes for classification and HAR; 0 for denoising. */
  numClasses: number;
  /** Turns a raw batch into (input, target): denoising adds noise here, with a seeded generator. */
  makeBatch(x: tf.Tensor, y: tf.Tensor, seed: number): { input: tf.Tensor; target: tf.Tensor };
  /** Scalar loss of the model's output against the target. */
  loss(output: tf.Tensor, target: tf.Tensor): tf.Scalar;
  /** A quick per-batch score for progress lines: accuracy, or PSNR for denoising. */
  batchScore(output: tf.Tensor, target: tf.Tensor): tf.Scalar;
  /** Name of batchScore, e.g. "accuracy" or "psnr". */
  scoreName: string;
}
