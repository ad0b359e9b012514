import * as tf from '@tensorflow/tfjs';
import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { onGpuBackend } from '../backend/gpu-backend.js';
import { readFlat, sizeOf } from '../parallel/flat-grads.js';
import type { GradientResult, Replica, ReplicaSpec, StepContext } from '../parallel/replica.types.js';
import { replicaModuleUrl } from '../parallel/replica-module-url.js';
import { getSpace } from '../space/spaces.js';
import type { SpaceName } from '../space/space.types.js';
import { createStrategy } from '../strategy/create-strategy.js';
import type { Alphas, Strategy, StrategyContext, StrategyName } from '../strategy/strategy.types.js';
import { Supernet } from '../supernet/supernet.js';
import type { CellType } from '../supernet/supernet.types.js';
import { createTask } from '../tasks/task-factory.js';
import type { Task, TaskKind } from '../tasks/task.types.js';
import { Rng } from '../util/rng.js';
import { batchTensors } from './batch-stream.js';
import { auxiliarySkipBeta, betaDecayRegularizer, type CollapseGuardMethod } from './collapse-guard.js';
import { DeviceAdam, DeviceMomentumSgd } from './device-optimizers.js';
import { Adam, MomentumSgd, type SearchOptimizer } from './optimizers.js';

/** The numbers of a search step: optimisers, schedule and guard. Plain data, so workers can build the same. */
export interface SearchStepOptions {
  seed: number;
  totalSteps: number;
  epochs: number;
  weightOptimizer: 'sgd' | 'adam';
  /** Weight learning rate (SGD: cosine-annealed to lrWMin; Adam: constant). */
  lrW: number;
  lrWMin: number;
  lrA: number;
  weightDecay: number;
  archWeightDecay: number;
  /** Global-norm clipping of the weight gradients (DARTS: 5; 0 = off). */
  gradClip: number;
  guard: CollapseGuardMethod;
}

/** The model side of a search, as plain data: what a worker needs besides the loop's step options. */
export type SupernetModelOptions = Omit<SupernetReplicaOptions, keyof SearchStepOptions>;

/** How a worker rebuilds the supernet and strategy of the search: plain, structured-clone safe data. */
export interface SupernetReplicaOptions extends SearchStepOptions {
  space: SpaceName;
  nodes: number;
  task: TaskKind;
  noise?: SearchConfig['noise'];
  strategy: StrategyName;
  latencyTargetMs?: number;
  latencyWeight?: number;
  channels: number;
  cells: number;
  stemMultiplier: number;
  stemStride: 1 | 2;
}

export type SearchPhase = 'alphas' | 'weights';

/** L2 norm of a flat gradient, on the host. */
function norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/** One phase's step on a shard, as tensors: task loss, batch score, total loss (with regularisers), gradients. */
interface StepTensors {
  loss: tf.Scalar;
  score: tf.Scalar;
  total: tf.Scalar;
  grads: tf.NamedTensorMap;
}

function disposeStep(step: StepTensors): void {
  tf.dispose([step.loss, step.score, step.total, ...Object.values(step.grads)]);
}

/** Per variable, 1 when the step gave it a gradient. */
function presentOf(variables: tf.Variable[], grads: tf.NamedTensorMap): Uint8Array {
  return Uint8Array.from(variables, (v) => (grads[v.name] ? 1 : 0));
}

/** The step's numbers as a replica reports them: a non-finite total loss or gradient makes the loss NaN. */
function gradientResult(loss: number, score: number, total: number, grads: Float32Array, present: Uint8Array, count: number): GradientResult {
  const finite = Number.isFinite(total) && Number.isFinite(norm(grads));
  return { loss: finite ? loss : NaN, score, count, grads, present };
}

/**
 * One replica of the bilevel search step. 'alphas' is the architecture step on an arch batch (task
 * loss plus the strategy's regulariser, latency term and the guard's β-decay), 'weights' the weight
 * step on a weight batch; each has its own keyed host optimizer. Every replica draws the same sampled
 * path from its own identically seeded stream, so replicas stay identical.
 */
export class SupernetReplica implements Replica {
  readonly weightVars: tf.Variable[];
  readonly archVars: tf.Variable[];
  readonly weightOptimizer: SearchOptimizer;
  readonly archOptimizer: SearchOptimizer;
  /** The strategy's sampling stream (Gumbel noise, random paths). */
  readonly sampling: Rng;
  /** On a GPU backend: reads are awaited, and the optimizers update on the device. */
  private readonly gpu: boolean;

  constructor(
    readonly supernet: Supernet,
    readonly strategy: Strategy,
    readonly task: Task,
    private readonly datasets: Record<string, ArrayDataset>,
    readonly step: SearchStepOptions,
  ) {
    strategy.attach?.(supernet);
    this.weightVars = supernet.weightVars();
    this.archVars = [...supernet.alphaVars(), ...(strategy.archVars?.() ?? [])];
    // Host optimizers on wasm and cpu (a supernet has ~900 small variables: optimizers.ts), tensor ops on a GPU.
    this.gpu = onGpuBackend();
    const [AdamKind, SgdKind] = this.gpu ? [DeviceAdam, DeviceMomentumSgd] : [Adam, MomentumSgd];
    this.weightOptimizer =
      step.weightOptimizer === 'adam' ? new AdamKind(this.weightVars, step.lrW, 0.9, 0.999, step.weightDecay) : new SgdKind(this.weightVars, step.lrW, 0.9, step.weightDecay);
    this.archOptimizer = new AdamKind(this.archVars, step.lrA, 0.5, 0.999, step.archWeightDecay);
    // The third fork of the seed, as the single-thread loop always drew it: same paths for the same seed.
    const root = new Rng(step.seed);
    root.fork();
    root.fork();
    this.sampling = root.fork();
  }

  /** Builds the supernet, task and strategy a config describes (in a worker, or for the search phase). */
  static fromOptions(options: SupernetReplicaOptions, datasets: Record<string, ArrayDataset>): SupernetReplica {
    const space = getSpace(options.space, { nodes: options.nodes });
    // The task must be the main thread's: HAR standardises with the statistics of the whole training split.
    const task = createTask(options.task, { train: datasets.train ?? datasets.weight, noise: options.noise });
    const strategy = createStrategy(options.strategy, {
      space,
      seed: options.seed,
      latencyTargetMs: options.latencyTargetMs,
      latencyWeight: options.latencyWeight,
    });
    const supernet = new Supernet({
      space,
      task,
      channels: options.channels,
      cells: options.cells,
      stemMultiplier: options.stemMultiplier,
      stemStride: options.stemStride,
      seed: options.seed,
      ...strategy.supernetOptions,
    });
    return new SupernetReplica(supernet, strategy, task, datasets, options);
  }

  private variablesOf(phase: string): tf.Variable[] {
    if (phase === 'weights') return this.weightVars;
    if (phase === 'alphas') return this.archVars;
    throw new Error(`search step: unknown phase '${phase}'`);
  }

  private alphaTensors(): Alphas {
    const out: Alphas = {};
    for (const type of this.supernet.cellTypes) out[type] = this.supernet.alphas[type] as unknown as tf.Tensor2D;
    return out;
  }

  strategyContext(ctx: StepContext): StrategyContext {
    return { step: ctx.step, epoch: ctx.epoch, epochs: ctx.epochs, rng: this.sampling, training: true, progress: ctx.step / Math.max(1, ctx.totalSteps) };
  }

  private forwardOptions(ctx: StepContext) {
    return this.step.guard === 'darts-minus' ? { auxiliarySkip: auxiliarySkipBeta(ctx.step / Math.max(1, ctx.totalSteps)) } : {};
  }

  /**
   * Gradients of one phase on this replica's shard, read synchronously (host backends). A non-finite loss or
   * gradient is reported as a NaN loss (not thrown), so the loop raises one diverged-search error on the main
   * thread whichever replica met it.
   */
  gradients(phase: string, data: string, indices: Int32Array, ctx: StepContext): GradientResult {
    const variables = this.variablesOf(phase);
    if (indices.length === 0) return this.emptyShard(variables, ctx);
    const step = this.stepTensors(phase, data, indices, ctx);
    try {
      const flat = new Float32Array(sizeOf(variables));
      let offset = 0;
      for (const v of variables) {
        const g = step.grads[v.name];
        if (g) flat.set(g.dataSync() as Float32Array, offset);
        offset += v.size;
      }
      const [loss, score, total] = [step.loss, step.score, step.total].map((t) => t.dataSync()[0]);
      return gradientResult(loss, score, total, flat, presentOf(variables, step.grads), indices.length);
    } finally {
      disposeStep(step);
    }
  }

  /**
   * The same on GPU backends (WebGPU in Node has no synchronous read): the alphas come to the host first (hard
   * samples take their argmax there), then loss, score and every gradient, concatenated on the device, in one
   * awaited read. Host backends take the synchronous path.
   */
  async gradientsAsync(phase: string, data: string, indices: Int32Array, ctx: StepContext): Promise<GradientResult> {
    if (!this.gpu) return this.gradients(phase, data, indices, ctx);
    const variables = this.variablesOf(phase);
    const alphaValues = await this.readAlphas();
    if (indices.length === 0) return this.emptyShard(variables, ctx, alphaValues);
    const step = this.stepTensors(phase, data, indices, ctx, alphaValues);
    let packed: tf.Tensor1D | undefined;
    try {
      packed = tf.tidy(() => {
        const parts = variables.map((v) => (step.grads[v.name] ? tf.reshape(step.grads[v.name], [-1]) : tf.zeros([v.size])));
        return tf.concat([tf.stack([step.loss, step.score, step.total]), ...parts]) as tf.Tensor1D;
      });
      const values = (await packed.data()) as Float32Array;
      return gradientResult(values[0], values[1], values[2], values.slice(3), presentOf(variables, step.grads), indices.length);
    } finally {
      disposeStep(step);
      packed?.dispose();
    }
  }

  /** Every cell type's alphas on the host, read with an awaited read. */
  private async readAlphas(): Promise<Partial<Record<CellType, Float32Array>>> {
    const out: Partial<Record<CellType, Float32Array>> = {};
    for (const type of this.supernet.cellTypes) out[type] = (await (this.supernet.alphas[type] as tf.Tensor).data()) as Float32Array;
    return out;
  }

  /** A shard with no samples still draws the step's sample, so this replica's stream stays in step with the others. */
  private emptyShard(variables: tf.Variable[], ctx: StepContext, alphaValues?: StrategyContext['alphaValues']): GradientResult {
    tf.tidy(() => void this.strategy.edgeWeights(this.alphaTensors(), { ...this.strategyContext(ctx), alphaValues }));
    return { loss: 0, score: 0, count: 0, grads: new Float32Array(sizeOf(variables)), present: new Uint8Array(variables.length) };
  }

  /**
   * The taped forward and backward pass of one phase on a shard, as tensors the caller reads and disposes:
   * the task loss and batch score, the phase's total loss (with regularisers) and its gradients.
   */
  private stepTensors(phase: string, data: string, indices: Int32Array, ctx: StepContext, alphaValues?: StrategyContext['alphaValues']): StepTensors {
    const variables = this.variablesOf(phase);
    const ds = this.datasets[data];
    if (!ds) throw new Error(`search step: no dataset '${data}' on this replica`);
    const sctx: StrategyContext = { ...this.strategyContext(ctx), alphaValues };
    return tf.tidy(() => {
      // Salted by the shard's first sample, so replicas draw different noise for different samples.
      const { input, target } = batchTensors(ds, indices, this.task, this.step.seed + 2 * ctx.step + (phase === 'alphas' ? 1 : 0) + 7919 * indices[0]);
      const kept: tf.Tensor[] = [];
      const alphas = this.alphaTensors();
      const streamState = this.sampling.seedState;
      // Edge weights are drawn inside the taped function: the alphas' gradient flows through them.
      const lossOf = (withRegularizers: boolean): tf.Scalar => {
        const out = this.supernet.forward(input, this.strategy.edgeWeights(alphas, sctx), true, this.forwardOptions(ctx));
        const taskLoss = this.task.loss(out, target);
        kept.push(tf.keep(tf.clone(taskLoss)), tf.keep(this.task.batchScore(out, target)));
        if (!withRegularizers) return taskLoss;
        let total: tf.Scalar = taskLoss;
        if (this.strategy.regularizer) total = tf.add(total, this.strategy.regularizer(alphas, sctx));
        if (this.strategy.extraLoss) total = tf.add(total, this.strategy.extraLoss(taskLoss, alphas, sctx));
        if (this.step.guard === 'beta-darts') total = tf.add(total, betaDecayRegularizer(alphas, ctx.epoch, ctx.epochs));
        return total;
      };
      let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        computed = tf.variableGrads(() => lossOf(phase === 'alphas'), variables);
      } catch (error) {
        // A sampled path can leave every variable of the phase outside the graph (NB201: all edges into
        // the output sampled as 'none'). Their gradient is then exactly zero: report the loss, touch nothing.
        if (!/Cannot find a connection between any variable/.test((error as Error).message)) throw error;
        tf.dispose(kept.splice(0));
        this.sampling.seedState = streamState; // the same sample again, and the stream advances once
        computed = { value: lossOf(phase === 'alphas'), grads: {} };
      }
      const [loss, score] = kept as tf.Scalar[];
      return { loss, score, total: computed.value, grads: computed.grads };
    });
  }

  apply(phase: string, grads: Float32Array, ctx: StepContext, present?: Uint8Array): void {
    const variables = this.variablesOf(phase);
    const named: tf.NamedTensorMap = {};
    let offset = 0;
    variables.forEach((v, i) => {
      if (!present || present[i]) named[v.name] = tf.tensor(grads.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
    });
    try {
      if (phase === 'alphas') {
        this.archOptimizer.apply(named);
        return;
      }
      const { gradClip, lrW, lrWMin, weightOptimizer } = this.step;
      const gradNorm = norm(grads);
      const scale = gradClip > 0 && gradNorm > gradClip ? gradClip / gradNorm : 1;
      if (weightOptimizer === 'sgd') this.weightOptimizer.learningRate = lrWMin + 0.5 * (lrW - lrWMin) * (1 + Math.cos((Math.PI * ctx.step) / Math.max(1, ctx.totalSteps)));
      this.weightOptimizer.apply(named, scale);
    } finally {
      tf.dispose(Object.values(named));
    }
  }

  /** Variables, both optimizers' slots and the sampling stream: everything replicas must share (awaited reads). */
  async snapshot(): Promise<Float32Array> {
    const variables = await readFlat([...this.weightVars, ...this.archVars]);
    const slots = [await readFlat(Object.values(this.weightOptimizer.state())), await readFlat(Object.values(this.archOptimizer.state()))];
    const steps = Float32Array.from([...this.weightVars, ...this.archVars].map((v) => this.weightOptimizer.stepCounts()[v.name] ?? this.archOptimizer.stepCounts()[v.name] ?? 0));
    // A uint32 stream state, split in two exact 16-bit halves.
    const rng = Float32Array.from([this.sampling.seedState >>> 16, this.sampling.seedState & 0xffff]);
    const out = new Float32Array(variables.length + slots[0].length + slots[1].length + steps.length + 2);
    out.set(variables, 0);
    out.set(slots[0], variables.length);
    out.set(slots[1], variables.length + slots[0].length);
    out.set(steps, variables.length + slots[0].length + slots[1].length);
    out.set(rng, out.length - 2);
    return out;
  }

  load(values: Float32Array): void {
    const all = [...this.weightVars, ...this.archVars];
    let offset = 0;
    for (const v of all) {
      const slice = values.subarray(offset, offset + v.size);
      tf.tidy(() => v.assign(tf.tensor(slice, v.shape, v.dtype)));
      offset += v.size;
    }
    const restoreSlots = (optimizer: SearchOptimizer, vars: tf.Variable[]) => {
      const state = optimizer.state();
      const restored: tf.NamedTensorMap = {};
      for (const [name, t] of Object.entries(state)) {
        restored[name] = tf.tensor(values.subarray(offset, offset + t.size), t.shape);
        offset += t.size;
      }
      return { restored, vars };
    };
    const w = restoreSlots(this.weightOptimizer, this.weightVars);
    const a = restoreSlots(this.archOptimizer, this.archVars);
    const stepsOf = (vars: tf.Variable[], start: number) => Object.fromEntries(vars.map((v, i) => [v.name, values[start + i]]));
    const weightSteps = stepsOf(this.weightVars, offset);
    const archSteps = stepsOf(this.archVars, offset + this.weightVars.length);
    this.weightOptimizer.restore(w.restored, weightSteps);
    this.archOptimizer.restore(a.restored, archSteps);
    tf.dispose([...Object.values(w.restored), ...Object.values(a.restored)]);
    this.sampling.seedState = ((values[values.length - 2] << 16) | values[values.length - 1]) >>> 0;
  }

  dispose(): void {
    this.weightOptimizer.dispose();
    this.archOptimizer.dispose();
    this.strategy.dispose?.();
    this.supernet.dispose();
  }
}

/** Replica factory (engine/parallel/replica.types.ts), for the worker threads of a search. */
export async function createReplica(options: SupernetReplicaOptions, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  return SupernetReplica.fromOptions(options, datasets);
}

/** The worker spec of a search; the loop completes model-only options with its step options. */
export function supernetReplicaSpec(options: SupernetModelOptions | SupernetReplicaOptions): ReplicaSpec {
  return { module: replicaModuleUrl(import.meta.url), options };
}
