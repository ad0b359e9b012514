import * as tf from '@tensorflow/tfjs';
import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { gatherBatch } from '../data/split.js';
import { flattenGradients, flattenValues, sizeOf, unflattenGradients } from '../parallel/flat-grads.js';
import { cosineLearningRate } from '../parallel/layers-model.replica.js';
import type { GradientResult, Replica, ReplicaSpec, StepContext } from '../parallel/replica.types.js';
import { getSpace } from '../space/spaces.js';
import type { SpaceName } from '../space/space.types.js';
import { createStrategy } from '../strategy/create-strategy.js';
import type { Strategy, StrategyContext, StrategyName } from '../strategy/strategy.types.js';
import { Supernet } from '../supernet/supernet.js';
import { createTask } from '../tasks/task-factory.js';
import type { Task, TaskKind } from '../tasks/task.types.js';
import { Rng } from '../util/rng.js';
import type { LatencyTable } from '../hardware/latency-table.types.js';
import { fbnetLookupFromTable } from './latency.js';

/** Everything a worker needs to build the same supernet and strategy: plain, structured-clone safe data. */
export interface SupernetReplicaOptions {
  space: SpaceName;
  nodes: number;
  task: TaskKind;
  noise?: SearchConfig['noise'];
  strategy: StrategyName;
  latencyTargetMs?: number;
  latencyWeight?: number;
  /** FBNet: this machine's latency table as plain data (search/latency.ts fbnetLookupForRun returns it). */
  latencyTable?: LatencyTable;
  channels: number;
  cells: number;
  stemMultiplier: number;
  stemStride: 1 | 2;
  seed: number;
  /** Network weights: Adam with cosine decay (few-epoch searches converge fastest with it). */
  weightLearningRate: number;
  /** Architecture: Adam with DARTS' betas (0.5, 0.999) and L2 weight decay. */
  alphaLearningRate: number;
  alphaWeightDecay: number;
  /** Global-norm clipping of the weight gradients (DARTS: 5). */
  gradClip: number;
}

export type SearchPhase = 'alphas' | 'weights';

/** Phase and step fix the sampled path: every replica draws the same one. */
function phaseRng(ctx: StepContext, phase: SearchPhase): Rng {
  return new Rng((Math.imul(ctx.seed + 1, 2654435761) ^ Math.imul(ctx.step + 1, 40503) ^ (phase === 'alphas' ? 0x51ed : 0xa11)) >>> 0);
}

function clipByGlobalNorm(grads: Float32Array, maxNorm: number): void {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  const norm = Math.sqrt(sum);
  if (norm > maxNorm) for (let i = 0; i < grads.length; i++) grads[i] *= maxNorm / norm;
}

/**
 * A supernet and its strategy as a data-parallel replica. 'alphas' computes the architecture
 * gradient on the arch half, 'weights' the network gradient on the weight half (first-order DARTS
 * alternation); each phase has its own optimizer and variable list.
 */
export class SupernetReplica implements Replica {
  readonly supernet: Supernet;
  readonly strategy: Strategy;
  readonly task: Task;
  private readonly weightVars: tf.Variable[];
  private readonly archVars: tf.Variable[];
  private readonly weightOptimizer: tf.Optimizer;
  private readonly alphaOptimizer: tf.Optimizer;

  constructor(
    private readonly options: SupernetReplicaOptions,
    private readonly datasets: Record<string, ArrayDataset>,
  ) {
    const space = getSpace(options.space, { nodes: options.nodes });
    this.task = createTask(options.task, { train: datasets.weight, noise: options.noise });
    this.strategy = createStrategy(options.strategy, {
      space,
      seed: options.seed,
      latencyTargetMs: options.latencyTargetMs,
      latencyWeight: options.latencyWeight,
      ...(options.latencyTable ? { latencyOf: fbnetLookupFromTable(options.latencyTable, this.task, { ...options, reductions: options.task !== 'denoising' }) } : {}),
    });
    this.supernet = new Supernet({
      space,
      task: this.task,
      channels: options.channels,
      cells: options.cells,
      stemMultiplier: options.stemMultiplier,
      stemStride: options.stemStride,
      seed: options.seed,
      ...this.strategy.supernetOptions,
    });
    this.strategy.attach?.(this.supernet);
    this.weightVars = this.supernet.weightVars();
    this.archVars = [...this.supernet.alphaVars(), ...(this.strategy.archVars?.() ?? [])];
    this.weightOptimizer = tf.train.adam(options.weightLearningRate);
    this.alphaOptimizer = tf.train.adam(options.alphaLearningRate, 0.5, 0.999);
  }

  private variablesOf(phase: string): tf.Variable[] {
    if (phase === 'weights') return this.weightVars;
    if (phase === 'alphas') return this.archVars;
    throw new Error(`supernet replica: unknown phase '${phase}'`);
  }

  private alphas() {
    return Object.fromEntries(this.supernet.cellTypes.map((t) => [t, this.supernet.alphas[t]!])) as Record<string, tf.Tensor2D>;
  }

  strategyContext(ctx: StepContext, phase: SearchPhase, training = true): StrategyContext {
    return { step: ctx.step, epoch: ctx.epoch - 1, epochs: ctx.epochs, rng: phaseRng(ctx, phase), training };
  }

  gradients(phase: string, data: string, indices: Int32Array, ctx: StepContext): GradientResult {
    const variables = this.variablesOf(phase);
    if (indices.length === 0) return { loss: 0, score: 0, count: 0, grads: new Float32Array(sizeOf(variables)) };
    const ds = this.datasets[data];
    if (!ds) throw new Error(`no dataset '${data}' on this replica`);
    const sctx = this.strategyContext(ctx, phase as SearchPhase);
    return tf.tidy(() => {
      const batch = gatherBatch(ds, indices);
      const { input, target } = this.task.makeBatch(tf.tensor(batch.x, batch.xShape), tf.tensor1d(batch.y, 'int32'), ctx.seed * 1_000_003 + ctx.step * 7919 + indices[0]);
      let output: tf.Tensor | undefined;
      let taskLoss = 0;
      const { value, grads } = tf.variableGrads(() => {
        const alphas = this.alphas();
        output = tf.keep(this.supernet.forward(input, this.strategy.edgeWeights(alphas, sctx), true));
        let loss = this.task.loss(output, target);
        taskLoss = loss.dataSync()[0];
        if (phase === 'alphas') {
          if (this.strategy.regularizer) loss = tf.add(loss, this.strategy.regularizer(alphas, sctx)) as tf.Scalar;
          if (this.strategy.extraLoss) loss = tf.add(loss, this.strategy.extraLoss(loss, alphas, sctx)) as tf.Scalar;
        }
        return loss;
      }, variables);
      const score = this.task.batchScore(output!, target).dataSync()[0];
      output!.dispose();
      void value;
      return { loss: taskLoss, score, count: indices.length, grads: flattenGradients(variables, grads) };
    });
  }

  apply(phase: string, grads: Float32Array, ctx: StepContext): void {
    const variables = this.variablesOf(phase);
    if (phase === 'weights') {
      clipByGlobalNorm(grads, this.options.gradClip);
      (this.weightOptimizer as unknown as { learningRate: number }).learningRate = cosineLearningRate(this.options.weightLearningRate, ctx);
    } else {
      // L2 weight decay on the architecture logits, as Adam's weight_decay in DARTS' architect.
      let offset = 0;
      for (const v of variables) {
        const values = v.dataSync();
        for (let i = 0; i < v.size; i++) grads[offset + i] += this.options.alphaWeightDecay * values[i];
        offset += v.size;
      }
    }
    const named = unflattenGradients(variables, grads);
    (phase === 'weights' ? this.weightOptimizer : this.alphaOptimizer).applyGradients(named);
    tf.dispose(named);
  }

  snapshot(): Float32Array {
    return flattenValues([...this.weightVars, ...this.archVars]);
  }

  load(values: Float32Array): void {
    let offset = 0;
    for (const v of [...this.weightVars, ...this.archVars]) {
      const slice = values.subarray(offset, offset + v.size);
      tf.tidy(() => v.assign(tf.tensor(slice, v.shape, v.dtype)));
      offset += v.size;
    }
  }

  dispose(): void {
    this.weightOptimizer.dispose();
    this.alphaOptimizer.dispose();
    this.strategy.dispose?.();
    this.supernet.dispose();
  }
}

/** Replica factory (engine/parallel/replica.types.ts). */
export async function createReplica(options: SupernetReplicaOptions, datasets: Record<string, ArrayDataset>): Promise<Replica> {
  return new SupernetReplica(options, datasets);
}

export function supernetReplicaSpec(options: SupernetReplicaOptions): ReplicaSpec {
  return { module: import.meta.url, options };
}
