/**
 * A GPU can be slower than the processor for a small model (kernel launches and transfers cost more than the
 * arithmetic), so the backend is chosen by timing a few training steps of the run's own model on each backend
 * that loads, not by a fixed order.
 */

/** What to time: built afresh on the backend being timed. */
export interface BackendWorkload {
  /** Identifies the model's shape (the choice is cached per machine and key), in words a user can read. */
  key: string;
  /** Builds the model on the active backend. */
  prepare(): Promise<WorkloadRun> | WorkloadRun;
}

export interface WorkloadRun {
  /** One training step; it must read a result on the host, so the device is idle when it returns. */
  step(): void | Promise<void>;
  dispose(): void;
}

export interface StepTiming {
  /** Median of the timed steps (ms). */
  stepMs: number;
  /** Timed steps (after one untimed warm-up step). */
  steps: number;
  /** The warm-up step alone (ms): kernels compiled, buffers allocated. */
  warmupMs: number;
  /** Set when timing stopped early because this backend is plainly slower than the best so far. */
  cut?: string;
}

export interface TimingOptions {
  /** Timed steps at most (default 3). */
  maxSteps?: number;
  /** Stop timing once the timed steps have taken this long (ms; at least one timed step runs; default 3000). */
  budgetMs?: number;
  /** Best step time seen on another backend (ms): a warm-up longer than max(2 s, 20 × it) ends the timing. */
  bestMs?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One untimed step, then up to `maxSteps` timed ones within `budgetMs`. A backend whose warm-up alone took
 * longer than max(2 s, 20 × the best step so far) is not timed further: its warm-up time stands in for its
 * step time (an upper bound of the truth that still loses by a wide margin).
 */
export async function timeWorkload(workload: BackendWorkload, options: TimingOptions = {}): Promise<StepTiming> {
  const maxSteps = Math.max(1, options.maxSteps ?? 3);
  const budgetMs = options.budgetMs ?? 3000;
  const run = await workload.prepare();
  try {
    let start = performance.now();
    await run.step();
    const warmupMs = performance.now() - start;
    if (options.bestMs !== undefined && warmupMs > Math.max(2000, 20 * options.bestMs)) {
      return { stepMs: warmupMs, steps: 0, warmupMs, cut: `its first step took ${(warmupMs / 1000).toFixed(1)} s, over 20 times the fastest backend's step` };
    }
    const times: number[] = [];
    const began = performance.now();
    while (times.length < maxSteps && (times.length === 0 || performance.now() - began < budgetMs)) {
      start = performance.now();
      await run.step();
      times.push(performance.now() - start);
    }
    return { stepMs: median(times), steps: times.length, warmupMs };
  } finally {
    run.dispose();
  }
}
