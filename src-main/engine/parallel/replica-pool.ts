import { Worker } from 'node:worker_threads';
import type { ArrayDataset } from '../data/dataset.types.js';
import type { FromWorker, GradientResult, ReplicaSpec, StepContext, ToWorker } from './replica.types.js';
import { shareDataset } from './shared-dataset.js';
import { activeBackendName } from '../backend/select-backend.js';

const ENTRY = new URL('./replica-entry.mjs', import.meta.url);

/** Omit distributed over a union, so each request keeps its own fields. */
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

interface Pending {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
}

/** One worker thread holding one replica; requests are matched to replies by sequence number. */
class ReplicaWorker {
  private seq = 0;
  private pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private closing = false;
  readonly ready: Promise<void>;

  constructor(private readonly worker: Worker) {
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'error') {
          const error = new Error(message.message);
          if (message.seq === undefined) {
            this.fail(error);
            reject(error);
          } else this.settle(message.seq, undefined, error);
        } else if (message.type === 'gradients') this.settle(message.seq, message.result);
        else if (message.type === 'snapshot') this.settle(message.seq, message.values);
        else if (message.type === 'loaded') this.settle(message.seq, undefined);
      });
      worker.on('error', (error) => {
        this.fail(error);
        reject(error);
      });
      worker.on('exit', (code) => {
        if (this.closing) return this.fail(new Error('the training worker was closed'));
        const error = new Error(`a training worker stopped unexpectedly (exit code ${code})`);
        this.fail(error);
        reject(error);
      });
    });
    // Rejections surface through the requests that wait on them; an unobserved `ready` must not crash.
    this.ready.catch(() => undefined);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private settle(seq: number, value: unknown, error?: Error): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    if (error) p.reject(error);
    else p.resolve(value);
  }

  request<T>(message: WithoutSeq<Extract<ToWorker, { seq: number }>>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ ...message, seq }, transfer);
    });
  }

  post(message: ToWorker): void {
    if (!this.failure) this.worker.postMessage(message);
  }

  async close(): Promise<void> {
    this.post({ type: 'close' });
    this.closing = true;
    await this.worker.terminate();
  }
}

/**
 * Replicas in worker threads. Datasets are copied once into SharedArrayBuffers and shared with every
 * worker; each step then moves only sample indices in and flat gradients out.
 */
export class ReplicaPool {
  private constructor(private readonly workers: ReplicaWorker[]) {}

  static async start(spec: ReplicaSpec, datasets: Record<string, ArrayDataset>, count: number): Promise<ReplicaPool> {
    const shared = Object.fromEntries(Object.entries(datasets).map(([k, ds]) => [k, shareDataset(ds)]));
    // Every worker runs the backend this thread chose (timed here), not one it would pick on its own.
    const backend = activeBackendName();
    const workers = Array.from({ length: count }, () => new ReplicaWorker(new Worker(ENTRY, { workerData: { spec, datasets: shared, backend } })));
    const pool = new ReplicaPool(workers);
    try {
      await Promise.all(workers.map((w) => w.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  gradients(phase: string, data: string, shards: Int32Array[], ctx: StepContext): Promise<GradientResult[]> {
    return Promise.all(this.workers.map((w, i) => w.request<GradientResult>({ type: 'gradients', phase, data, indices: shards[i], ctx })));
  }

  apply(phase: string, grads: Float32Array, ctx: StepContext, present?: Uint8Array): void {
    for (const w of this.workers) w.post({ type: 'apply', phase, grads, ctx, present });
  }

  load(values: Float32Array): Promise<void[]> {
    return Promise.all(this.workers.map((w) => w.request<void>({ type: 'load', values })));
  }

  loadOptimizer(values: Float32Array): Promise<void[]> {
    return Promise.all(this.workers.map((w) => w.request<void>({ type: 'loadOptimizer', values })));
  }

  snapshots(): Promise<Float32Array[]> {
    return Promise.all(this.workers.map((w) => w.request<Float32Array>({ type: 'snapshot' })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
