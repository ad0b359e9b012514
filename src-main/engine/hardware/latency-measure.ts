/**
 * Batch-1 forward timing of tf.LayersModels the way an app runs them: model.predict, then dataSync
 * (which also waits for asynchronous backends). The models of one call are timed interleaved, round by
 * round, so a burst of load from other processes hits them all alike instead of skewing a few; each
 * model's time is the trimmed mean (or the median) of its rounds.
 *
 * Clock: by default the CPU time of this process (process.cpuUsage, microseconds), not wall time. On a
 * machine shared with other busy processes, a multi-millisecond predict is preempted several times while
 * a 50 µs op rarely is, so wall-clock sums of ops underpredict whole models by half or more; CPU time is
 * what the model costs this machine, and equals the wall-clock latency when the machine is otherwise idle
 * (wasm runs single-threaded in Node; GPU backends must use 'wall', where the work is not this process's CPU).
 */
import * as tf from '@tensorflow/tfjs';

export interface TimingOptions {
  /** Untimed rounds first (kernels compiled, buffers allocated, V8 optimising tfjs-layers' code). */
  warmup?: number;
  /** Stop the warm-up early once it has taken this long (ms; at least 3 rounds run). */
  warmupMs?: number;
  /** Timed rounds (each model runs once per round). At least 15. */
  repeats?: number;
  signal?: AbortSignal;
  clock?: LatencyClock;
  /** How a model's rounds are summarised (default: the 10 %-trimmed mean, see trimmedMean). */
  statistic?: LatencyStatistic;
}

export type LatencyStatistic = 'median' | 'trimmed-mean';
export const DEFAULT_STATISTIC: LatencyStatistic = 'trimmed-mean';

export type LatencyClock = 'cpu' | 'wall';

export interface Timeable {
  model: tf.LayersModel;
  inputs: tf.Tensor[];
}

export const DEFAULT_REPEATS = 61;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Mean of the values between the 10th and 90th percentile. On a shared machine the time of a tiny op is
 * bimodal (its core's sibling busy or not) while a whole model's time is the mixture's mean over its
 * many layers; the median of a tiny op jumps between the modes, the mean adds up like the model does.
 * Trimming drops the rare interrupts and collections that land inside one run.
 */
export function trimmedMean(values: number[], trim = 0.1): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * trim);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

function runOnce(item: Timeable, clock: LatencyClock): number {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const out = item.model.predict(item.inputs.length === 1 ? item.inputs[0] : item.inputs);
  for (const t of Array.isArray(out) ? out : [out]) {
    t.dataSync();
    t.dispose();
  }
  if (clock === 'wall') return performance.now() - wall;
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

/** Wall time for backends whose work runs off this process's CPU (GPU), else CPU time. */
export function defaultClock(backend: string): LatencyClock {
  return backend === 'tensorflow-gpu' || backend === 'webgl' || backend === 'webgpu' ? 'wall' : 'cpu';
}

/** Median ms per model, in the order given; yields to the event loop between rounds (cancellable). */
export async function timeInterleaved(items: Timeable[], options: TimingOptions = {}): Promise<number[]> {
  const warmup = options.warmup ?? 10;
  const repeats = Math.max(15, options.repeats ?? DEFAULT_REPEATS);
  const clock = options.clock ?? defaultClock(tf.getBackend());
  const warmStart = performance.now();
  for (let i = 0; i < warmup; i++) {
    if (i >= 3 && performance.now() - warmStart > (options.warmupMs ?? Infinity)) break;
    for (const item of items) runOnce(item, clock);
  }
  const samples = items.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    if (options.signal?.aborted) throw new Error('Latency measurement cancelled');
    // Alternate the direction of each round: neither end of the list always runs right after a pause.
    const order = r % 2 === 0 ? items.map((_, i) => i) : items.map((_, i) => items.length - 1 - i);
    for (const i of order) samples[i].push(runOnce(items[i], clock));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return samples.map((options.statistic ?? DEFAULT_STATISTIC) === 'median' ? median : (v) => trimmedMean(v));
}

/** Median batch-1 predict time of one model (ms), zeros as input. */
export async function timeModel(model: tf.LayersModel, options: TimingOptions = {}): Promise<number> {
  const inputs = model.inputs.map((input) => tf.zeros([1, ...input.shape.slice(1).map((d) => d ?? 1)]));
  try {
    const [ms] = await timeInterleaved([{ model, inputs }], options);
    return ms;
  } finally {
    tf.dispose(inputs);
  }
}
