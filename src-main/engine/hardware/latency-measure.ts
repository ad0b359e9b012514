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
import { PerformanceObserver } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { GPU_BACKENDS } from '../backend/backend.types.js';
import { activeBackendName } from '../backend/select-backend.js';
import { tfBackendName } from '../backend/backend-loaders.js';
import { Rng } from '../util/rng.js';

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
  /** Keep the runs a garbage collection landed in (default false: dropped, see timeInterleaved). */
  keepGcRuns?: boolean;
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

export interface Run {
  ms: number;
  /** Wall-clock span of the run (performance.now), to match garbage collections against. */
  start: number;
  end: number;
}

/** CPU time of this process (ms): user + system, all threads. */
function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

type Clock = () => number;

/**
 * One predict, read back to the host: the read waits for the device to finish (a GPU backend's sync). On the
 * host backends it is a synchronous dataSync; on GPU backends an asynchronous read (WebGPU in Node has no other).
 */
async function runOnce(item: Timeable, clock: Clock | undefined, gpu: boolean): Promise<Run> {
  const start = performance.now();
  const cpu = clock?.() ?? 0;
  const out = item.model.predict(item.inputs.length === 1 ? item.inputs[0] : item.inputs);
  for (const t of Array.isArray(out) ? out : [out]) {
    if (gpu) await t.data();
    else t.dataSync();
    t.dispose();
  }
  const end = performance.now();
  return { ms: clock ? clock() - cpu : end - start, start, end };
}

/** The backend by our name (tfjs answers 'tensorflow' for both native builds). */
function backendNow(): string {
  const current = tf.getBackend();
  const active = activeBackendName();
  return active && tfBackendName(active) === current ? active : current;
}

/** Wall-clock spans of the garbage collections of this process while `watch` runs (perf_hooks 'gc' entries). */
async function withGcSpans<T>(watch: () => Promise<T>): Promise<{ result: T; spans: [number, number][] }> {
  const spans: [number, number][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) spans.push([e.startTime, e.startTime + e.duration]);
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const result = await watch();
    // Entries are delivered asynchronously: let the last ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { result, spans };
  } finally {
    observer.disconnect();
  }
}

/** The times of the runs no collection overlapped; all of them if fewer than half would remain. */
export function runsOutsideGc(runs: Run[], gcSpans: [number, number][]): number[] {
  const clean = runs.filter((run) => !gcSpans.some(([start, end]) => start < run.end && end > run.start));
  return (clean.length * 2 >= runs.length ? clean : runs).map((run) => run.ms);
}

/**
 * tfjs-layers caches each model's execution order in an LRU of 100 entries (TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES);
 * with more models interleaved every predict would sort its graph again, a per-layer cost an app predicting
 * one model never pays. Widened for the measurement, restored after.
 */
async function withSortCacheFor<T>(models: number, run: () => Promise<T>): Promise<T> {
  const flag = 'TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES';
  const before = tf.env().getNumber(flag);
  if (models + 10 > before) tf.env().set(flag, models + 10);
  try {
    return await run();
  } finally {
    if (models + 10 > before) tf.env().set(flag, before);
  }
}

/**
 * Wall time where the work is not this process's single thread: every GPU backend (tensorflow-gpu, webgpu,
 * webgl: the device works while this thread waits) and native TensorFlow on the processor (its thread pool
 * would add up several cores' CPU time); CPU time for wasm and cpu (one thread). `backend` is our name
 * (select-backend.ts) or tfjs's: tfjs answers 'tensorflow' for the GPU build too, so pass ours.
 */
export function defaultClock(backend: string): LatencyClock {
  return GPU_BACKENDS.has(backend) || backend === 'tensorflow' ? 'wall' : 'cpu';
}

const ORDER_SEED = 20261122;

function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let k = n - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    [order[k], order[j]] = [order[j], order[k]];
  }
  return order;
}

/**
 * Time per model (ms, the `statistic` of its rounds), in the order given; yields to the event loop between
 * rounds (cancellable).
 *
 * Runs a garbage collection landed in are dropped. V8 scavenges its young generation every few MB of
 * allocation and the collection's CPU time (main thread and parallel helpers) lands on whichever predict
 * happens to trigger it: a whole DARTS model (≈ 250 layers) triggers one every ~5 predicts and its run costs
 * ~1 ms more, a small op one every ~50. A trimmed mean then keeps some of a model's collections and none
 * of an op's, and which ones it keeps is chance: two instances of the same architecture timed in the same
 * rounds differed by 5-11 % rms. Without those runs both sides count the same thing: the model's compute.
 * An item keeps all its runs if fewer than half would remain.
 *
 * Each round runs the items in a new random order. In a fixed order (even alternating direction) an item's
 * time depends on where it sits: what ran just before decides the state of the wasm heap its activations
 * are allocated from, and that state repeats every round. Two instances of one DARTS architecture timed in
 * the same 100 rounds differed by 13 % rms in a fixed order (each one's own halves agreed within 4 %),
 * by 2.7 % shuffled.
 *
 * Each visit runs the item twice and times the second run: warm, as a deployed model predicting frame
 * after frame runs (and as measureModelLatency times a model alone). Timed cold, right after whatever
 * model the shuffle put before it, a small op paid for refetching its weights and the sum of ops
 * overpredicted whole models by 25 %; warm, whole models cost a uniform ~1.2-1.35 × the sum of their ops
 * (every op kind alike), which the table's calibration factor takes up.
 */
export async function timeInterleaved(items: Timeable[], options: TimingOptions = {}): Promise<number[]> {
  const warmup = options.warmup ?? 10;
  const repeats = Math.max(15, options.repeats ?? DEFAULT_REPEATS);
  const backend = backendNow();
  const gpu = GPU_BACKENDS.has(backend);
  const clock = (options.clock ?? defaultClock(backend)) === 'cpu' ? processCpuMs : undefined;
  return withSortCacheFor(new Set(items.map((i) => i.model)).size, async () => {
    const warmStart = performance.now();
    for (let i = 0; i < warmup; i++) {
      if (i >= 3 && performance.now() - warmStart > (options.warmupMs ?? Infinity)) break;
      for (const item of items) await runOnce(item, clock, gpu);
    }
    const rng = new Rng(ORDER_SEED);
    const { result: runs, spans } = await withGcSpans(async () => {
      const runs = items.map(() => [] as Run[]);
      for (let r = 0; r < repeats; r++) {
        if (options.signal?.aborted) throw new Error('Latency measurement cancelled');
        const order = shuffled(items.length, rng);
        for (const i of order) {
          await runOnce(items[i], clock, gpu);
          runs[i].push(await runOnce(items[i], clock, gpu));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      return runs;
    });
    const summarise = (options.statistic ?? DEFAULT_STATISTIC) === 'median' ? median : (v: number[]) => trimmedMean(v);
    return runs.map((itemRuns) => summarise(options.keepGcRuns ? itemRuns.map((run) => run.ms) : runsOutsideGc(itemRuns, spans)));
  });
}

/**
 * Predicts with zeros until the model's time stops falling: blocks of `block` predicts until three blocks in
 * a row are no faster than 0.97 × the best block so far (at least `minBlocks`: a slow first phase can be
 * flat for 100 predicts before it drops), or `maxMs` of wall time.
 * A model V8 has not run before is slow for its first few hundred predicts (a small chain model, blocks of
 * 50 predicts: 2.4, 2.6, 0.77, 0.73, 0.61, … 0.55 ms), so a fixed count either wastes time on large models
 * or stops early on small ones: 250 predicts left one at 1.0 ms against 0.57 ms timed among others.
 * Returns how many predicts ran.
 */
export async function warmUntilSteady(model: tf.LayersModel, options: { block?: number; minBlocks?: number; maxMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  const { block = 25, minBlocks = 12, maxMs = 8000 } = options;
  const inputs = model.inputs.map((input) => tf.zeros([1, ...input.shape.slice(1).map((d) => d ?? 1)]));
  const item = { model, inputs };
  const backend = backendNow();
  const gpu = GPU_BACKENDS.has(backend);
  const clock = defaultClock(backend) === 'cpu' ? processCpuMs : undefined;
  const started = performance.now();
  let best = Infinity;
  let calm = 0;
  let predicts = 0;
  try {
    for (let b = 0; ; b++) {
      if (options.signal?.aborted) throw new Error('Latency measurement cancelled');
      const times: number[] = [];
      for (let i = 0; i < block; i++) times.push((await runOnce(item, clock, gpu)).ms);
      predicts += block;
      const m = median(times);
      calm = m >= 0.97 * best ? calm + 1 : 0;
      best = Math.min(best, m);
      if ((b + 1 >= minBlocks && calm >= 3) || performance.now() - started > maxMs) return predicts;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    tf.dispose(inputs);
  }
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
