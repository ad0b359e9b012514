import * as tf from '@tensorflow/tfjs';
import type { ArrayDataset } from '../data/dataset.types.js';
import { batchTensors } from '../search/batch-stream.js';
import { onGpuBackend } from '../backend/gpu-backend.js';
import { DeviceAdam } from '../search/device-optimizers.js';
import { Adam, type SearchOptimizer } from '../search/optimizers.js';
import type { Task } from '../tasks/task.types.js';
import { flattenGradients, readFlat, sizeOf, unflattenGradients } from './flat-grads.js';
import type { GradientResult, Replica, StepContext } from './replica.types.js';

export interface LayersTrainingOptions {
  /** Peak learning rate of Adam. */
  learningRate: number;
  /** Share of the run's steps spent warming up linearly from a tenth of the peak (0: start at the peak). */
  warmupFraction?: number;
}

/**
 * One-cycle shape: a linear warm-up from peak/10 over the first `warmup` share of the steps, then a cosine
 * from the peak down to 2 % of it at the last step. Without warm-up it is a plain cosine decay.
 */
export function cosineLearningRate(peak: number, ctx: StepContext, warmup = 0): number {
  const total = Math.max(1, ctx.totalSteps);
  const warmupSteps = Math.floor(warmup * total);
  if (ctx.step < warmupSteps) return peak * (0.1 + (0.9 * ctx.step) / warmupSteps);
  const progress = (ctx.step - warmupSteps) / Math.max(1, total - warmupSteps);
  return peak * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * A tf.layers model as a replica: one phase ('weights'), Adam, BatchNorm statistics updated by
 * apply(training=true) on each replica's own shard (like data-parallel training without SyncBN).
 */
export class LayersModelReplica implements Replica {
  /**
   * Host-side Adam on wasm and cpu: a tfjs optimizer costs ~10 kernel launches per variable per step. On a GPU
   * backend the update runs on the device (device-optimizers.ts), and gradients come back in one read.
   */
  private readonly optimizer: SearchOptimizer;
  private readonly gpu: boolean;
  private readonly trainable: tf.Variable[];
  /** Trainable and non-trainable (BN moving statistics) variables, for snapshots. */
  private readonly all: tf.Variable[];

  constructor(
    readonly model: tf.LayersModel,
    private readonly task: Task,
    private readonly datasets: Record<string, ArrayDataset>,
    private readonly options: LayersTrainingOptions,
  ) {
    this.trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.gpu = onGpuBackend();
    this.optimizer = this.gpu ? new DeviceAdam(this.trainable, options.learningRate) : new Adam(this.trainable, options.learningRate);
    this.all = model.weights.map((w) => w.read() as tf.Variable);
  }

  gradients(_phase: string, data: string, indices: Int32Array, ctx: StepContext): GradientResult {
    const ds = this.datasets[data];
    if (!ds) throw new Error(`no dataset '${data}' on this replica`);
    if (indices.length === 0) return { loss: 0, score: 0, count: 0, grads: new Float32Array(sizeOf(this.trainable)) };
    return tf.tidy(() => {
      const { value, score, grads } = this.lossAndGradients(ds, indices, ctx);
      return {
        loss: value.dataSync()[0],
        score: score.dataSync()[0],
        count: indices.length,
        grads: flattenGradients(this.trainable, grads),
      };
    });
  }

  /** Loss, batch score and gradients of one batch, as tensors (call inside a tidy). */
  private lossAndGradients(ds: ArrayDataset, indices: Int32Array, ctx: StepContext): { value: tf.Scalar; score: tf.Tensor; grads: tf.NamedTensorMap } {
    // Salted by the shard's first index so replicas draw different noise for different samples.
    const { input, target } = batchTensors(ds, indices, this.task, ctx.seed * 1_000_003 + ctx.step * 7919 + indices[0]);
    let output: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      // kept: variableGrads disposes what its function creates, and the score needs the output
      output = tf.keep(this.model.apply(input, { training: true }) as tf.Tensor);
      return this.task.loss(output, target);
    }, this.trainable);
    const score = this.task.batchScore(output!, target);
    output!.dispose();
    return { value, score, grads };
  }

  /**
   * GPU backends: loss, score and every gradient (concatenated on the device) come back in one asynchronous
   * read, instead of one synchronous read per variable (which WebGPU in Node cannot do at all).
   */
  async gradientsAsync(phase: string, data: string, indices: Int32Array, ctx: StepContext): Promise<GradientResult> {
    const ds = this.datasets[data];
    if (!this.gpu || !ds || indices.length === 0) return this.gradients(phase, data, indices, ctx);
    const { loss, score, flat } = tf.tidy(() => {
      const { value, score: batchScore, grads } = this.lossAndGradients(ds, indices, ctx);
      const parts = this.trainable.map((v) => (grads[v.name] ? tf.reshape(grads[v.name], [-1]) : tf.zeros([v.size])));
      return { loss: value, score: batchScore, flat: parts.length === 1 ? parts[0] : tf.concat(parts) };
    });
    try {
      const [l, s, g] = await Promise.all([loss.data(), score.data(), flat.data()]);
      return { loss: l[0], score: s[0], count: indices.length, grads: g as Float32Array };
    } finally {
      tf.dispose([loss, score, flat]);
    }
  }

  /**
   * Re-estimates every batch norm's moving statistics for the final weights: training-mode forward passes
   * over `batches` of `data`, weights untouched, each layer's momentum set so the result is the plain mean
   * over the passes. After a short retraining the running averages (momentum 0.9) lag weights that still
   * moved fast: one epoch of 32 steps scored 0.28 with them and 0.61 with the batches' own statistics.
   */
  recalibrateBatchNorm(data: string, batches: Int32Array[], seed: number): void {
    const ds = this.datasets[data];
    if (!ds) throw new Error(`no dataset '${data}' on this replica`);
    const layers = this.model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as { momentum: number }[];
    if (layers.length === 0 || batches.length === 0) return;
    const momentum = layers.map((l) => l.momentum);
    try {
      batches.forEach((indices, i) => {
        for (const layer of layers) layer.momentum = i / (i + 1);
        tf.tidy(() => {
          const { input } = batchTensors(ds, indices, this.task, seed * 1_000_003 + i);
          this.model.apply(input, { training: true });
        });
      });
    } finally {
      layers.forEach((l, k) => (l.momentum = momentum[k]));
    }
  }

  apply(_phase: string, grads: Float32Array, ctx: StepContext): void {
    this.optimizer.learningRate = cosineLearningRate(this.options.learningRate, ctx, this.options.warmupFraction);
    const named = unflattenGradients(this.trainable, grads);
    this.optimizer.apply(named);
    tf.dispose(named);
  }

  snapshot(): Promise<Float32Array> {
    return readFlat(this.all);
  }

  load(values: Float32Array): void {
    let offset = 0;
    for (const v of this.all) {
      const slice = values.subarray(offset, offset + v.size);
      tf.tidy(() => v.assign(tf.tensor(slice, v.shape, v.dtype)));
      offset += v.size;
    }
  }

  /** Adam's two moments of each trainable variable in order, then its step counts (exact as float32 below 2^24). */
  async optimizerState(): Promise<Float32Array> {
    const size = sizeOf(this.trainable);
    const out = new Float32Array(this.optimizerStateLength());
    const slots = this.optimizer.state();
    const steps = this.optimizer.stepCounts();
    try {
      for (let k = 0; k < 2; k++) out.set(await readFlat(this.trainable.map((v) => slots[`${v.name}/slot${k}`])), k * size);
    } finally {
      // Copied out: release the optimizer's exported tensors now rather than at its next state() call.
      tf.dispose(Object.values(slots));
    }
    this.trainable.forEach((v, i) => (out[2 * size + i] = steps[v.name] ?? 0));
    return out;
  }

  /** How many values optimizerState() holds: two moments of every trainable value, and a step count per variable. */
  optimizerStateLength(): number {
    return 2 * sizeOf(this.trainable) + this.trainable.length;
  }

  loadOptimizerState(values: Float32Array): void {
    const size = sizeOf(this.trainable);
    const expected = this.optimizerStateLength();
    if (values.length !== expected) throw new Error(`optimizer state holds ${values.length} values, this model's Adam needs ${expected} (a different model?).`);
    const named: tf.NamedTensorMap = {};
    const steps: Record<string, number> = {};
    let offset = 0;
    this.trainable.forEach((v, i) => {
      for (let k = 0; k < 2; k++) named[`${v.name}/slot${k}`] = tf.tensor(values.subarray(offset + k * size, offset + k * size + v.size), v.shape);
      offset += v.size;
      steps[v.name] = values[2 * size + i];
    });
    try {
      this.optimizer.restore(named, steps);
    } finally {
      tf.dispose(Object.values(named));
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
