import { weightedMean } from './flat-grads.js';
import { replicasFor } from './replicas-for-backend.js';
import { ReplicaPool } from './replica-pool.js';
import type { Replica, ReplicaSpec, StepContext } from './replica.types.js';
import type { ArrayDataset } from '../data/dataset.types.js';

/** Splits a batch into `parts` contiguous shards of near-equal size (the first ones one larger). */
export function shard(indices: Int32Array, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  const base = Math.floor(indices.length / parts);
  let extra = indices.length % parts;
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = base + (extra-- > 0 ? 1 : 0);
    out.push(indices.slice(start, start + size));
    start += size;
  }
  return out;
}

/** A variable took part in the step when any replica gave it a gradient. */
function unionOfPresent(parts: { present?: Uint8Array }[]): Uint8Array | undefined {
  if (parts.some((p) => !p.present)) return undefined;
  const out = new Uint8Array(parts[0].present!.length);
  for (const { present } of parts) for (let i = 0; i < out.length; i++) out[i] |= present![i];
  return out;
}

/**
 * Synchronous data-parallel training: this thread is replica 0, the pool's workers the others. Each
 * step shards the batch, every replica computes gradients on its shard at the same time, the mean
 * (weighted by shard size) is applied everywhere. With no pool it is plain single-replica training.
 */
export class DataParallel {
  private constructor(
    readonly local: Replica,
    private readonly pool: ReplicaPool | undefined,
  ) {}

  /** Training on this thread only. */
  static single(local: Replica): DataParallel {
    return new DataParallel(local, undefined);
  }

  /**
   * Uses an existing replica on this thread; `spec` builds the same one in each of `replicas - 1`
   * workers, which then load this replica's state. Workers that cannot start are not fatal: training
   * continues on this thread, and `warning` says why.
   */
  static async withLocal(
    local: Replica,
    spec: ReplicaSpec,
    datasets: Record<string, ArrayDataset>,
    replicas: number,
  ): Promise<{ parallel: DataParallel; warning?: string }> {
    const allowed = replicasFor(replicas);
    if (allowed.replicas <= 1) return { parallel: new DataParallel(local, undefined), ...(allowed.why ? { warning: allowed.why } : {}) };
    replicas = allowed.replicas;
    try {
      const pool = await ReplicaPool.start(spec, datasets, replicas - 1);
      await pool.load(await local.snapshot());
      return { parallel: new DataParallel(local, pool) };
    } catch (error) {
      return { parallel: new DataParallel(local, undefined), warning: `training on one core only: ${(error as Error).message}` };
    }
  }

  /** Builds the local replica from the spec too (the usual case: nothing exists yet). */
  static async create(
    spec: ReplicaSpec,
    datasets: Record<string, ArrayDataset>,
    replicas: number,
  ): Promise<{ parallel: DataParallel; warning?: string }> {
    const factory = (await import(spec.module)) as { createReplica: (o: unknown, d: Record<string, ArrayDataset>) => Promise<Replica> };
    return DataParallel.withLocal(await factory.createReplica(spec.options, datasets), spec, datasets, replicas);
  }

  get replicas(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  async step(phase: string, data: string, indices: Int32Array, ctx: StepContext): Promise<{ loss: number; score: number }> {
    const shards = shard(indices, this.replicas);
    const remote = this.pool?.gradients(phase, data, shards.slice(1), ctx);
    let mine;
    try {
      mine = this.local.gradientsAsync ? await this.local.gradientsAsync(phase, data, shards[0], ctx) : this.local.gradients(phase, data, shards[0], ctx);
    } catch (error) {
      await remote?.catch(() => undefined);
      throw error;
    }
    const parts = [mine, ...((await remote) ?? [])].filter((p) => p.count > 0);
    const grads = parts.length === 1 ? parts[0].grads : weightedMean(parts);
    const present = unionOfPresent(parts);
    this.pool?.apply(phase, grads, ctx, present);
    this.local.apply(phase, grads, ctx, present);
    const total = parts.reduce((s, p) => s + p.count, 0);
    return {
      loss: parts.reduce((s, p) => s + p.loss * p.count, 0) / total,
      score: parts.reduce((s, p) => s + p.score * p.count, 0) / total,
    };
  }

  /**
   * Puts saved variables (and optimizer state, when given) into every replica, so they stay identical:
   * a resumed run loads its checkpoint here rather than into the local replica alone.
   */
  async loadState(weights: Float32Array, optimizer?: Float32Array): Promise<void> {
    if (optimizer && !this.local.loadOptimizerState) throw new Error('this replica has no optimizer state to load');
    this.local.load(weights);
    if (optimizer) this.local.loadOptimizerState!(optimizer);
    await this.pool?.load(weights);
    if (optimizer) await this.pool?.loadOptimizer(optimizer);
  }

  /** Every worker replica's variables, to check that replicas stayed identical. */
  remoteSnapshots(): Promise<Float32Array[]> {
    return this.pool?.snapshots() ?? Promise.resolve([]);
  }

  /** Stops the workers; `keepLocal` leaves this thread's replica (and its model) alive for the caller. */
  async close(options: { keepLocal?: boolean } = {}): Promise<void> {
    await this.pool?.close();
    if (!options.keepLocal) this.local.dispose();
  }
}
