import * as tf from '@tensorflow/tfjs';
import type { BenchMeasure, MicroBenchResult } from './hardware.types.js';

/**
 * Micro-benchmarks on whatever tfjs backend is active: they tell the user (and the search-time estimate)
 * how fast this machine runs the kernels a search spends its time in. Each one is warmed up, then timed
 * repeat by repeat until its budget is spent; the median repeat is reported.
 */

export interface ConvBenchSize {
  /** Height = width of the input. */
  size: number;
  channels: number;
  batches: number[];
}

export interface BenchSizes {
  /** Square matrix sizes n: an n×n by n×n product each. */
  matmul: number[];
  /** 3×3, stride 1, same padding, channels → channels. */
  conv2d: ConvBenchSize;
  /** 3×3 depthwise, stride 1, same padding. */
  depthwise: ConvBenchSize;
  /** Float32 elements per operand of the bandwidth tests. */
  bandwidthElements: number;
}

/** The shapes of a DARTS/MobileNet-sized layer at 56×56, and operands far larger than L2. */
export const DEFAULT_BENCH_SIZES: BenchSizes = {
  matmul: [512, 1024],
  conv2d: { size: 56, channels: 32, batches: [1, 8] },
  depthwise: { size: 56, channels: 32, batches: [1, 8] },
  bandwidthElements: 1 << 24,
};

/** Small enough that every benchmark finishes in milliseconds: for tests and quick checks. */
export const TINY_BENCH_SIZES: BenchSizes = {
  matmul: [32],
  conv2d: { size: 8, channels: 4, batches: [1] },
  depthwise: { size: 8, channels: 4, batches: [1] },
  bandwidthElements: 1 << 12,
};

export interface MicroBenchOptions {
  sizes?: BenchSizes;
  /** Time budget per benchmark, warm-up included (ms). A single repeat longer than this still runs once. */
  budgetMs?: number;
  warmupRuns?: number;
  maxRepeats?: number;
  signal?: AbortSignal;
  /** Called after each benchmark, e.g. to print progress. */
  onMeasure?: (measure: BenchMeasure) => void;
}

interface Timing {
  medianMs: number;
  repeats: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Waits until `out` is computed: reading one element forces async backends (webgl, webgpu) to finish. */
async function settle(out: tf.Tensor): Promise<void> {
  const probe = tf.tidy(() => out.reshape([-1]).slice(0, 1));
  await probe.data();
  probe.dispose();
}

async function timeRepeats(runOnce: () => tf.Tensor | void, options: Required<Omit<MicroBenchOptions, 'sizes' | 'signal' | 'onMeasure'>>): Promise<Timing> {
  const runTimed = async (): Promise<number> => {
    const start = performance.now();
    const out = runOnce();
    if (out) {
      await settle(out);
      out.dispose();
    }
    return performance.now() - start;
  };
  const begin = performance.now();
  for (let i = 0; i < options.warmupRuns; i++) await runTimed();
  const times: number[] = [];
  do {
    times.push(await runTimed());
  } while (times.length < options.maxRepeats && performance.now() - begin < options.budgetMs);
  return { medianMs: median(times), repeats: times.length };
}

function measure(
  fields: Omit<BenchMeasure, 'value' | 'medianMs' | 'repeats'>,
  timing: Timing,
): BenchMeasure {
  const seconds = timing.medianMs / 1000;
  // A repeat below the timer's resolution would divide by zero; floor it at one microsecond.
  const value = fields.workPerRepeat / Math.max(seconds, 1e-6) / 1e9;
  return { ...fields, value, medianMs: timing.medianMs, repeats: timing.repeats };
}

/** Runs every micro-benchmark on the active backend; disposes every tensor it makes. */
export async function runMicroBench(options: MicroBenchOptions = {}): Promise<MicroBenchResult> {
  await tf.ready();
  const sizes = options.sizes ?? DEFAULT_BENCH_SIZES;
  const timingOptions = {
    budgetMs: options.budgetMs ?? 1000,
    warmupRuns: options.warmupRuns ?? 2,
    maxRepeats: options.maxRepeats ?? 50,
  };
  const startedAt = new Date().toISOString();
  const begin = performance.now();
  const measures: BenchMeasure[] = [];
  const record = (m: BenchMeasure): void => {
    measures.push(m);
    options.onMeasure?.(m);
  };
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new Error('Micro-benchmarks were cancelled.');
  };

  for (const n of sizes.matmul) {
    checkAbort();
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    try {
      const timing = await timeRepeats(() => tf.matMul(a, b), timingOptions);
      record(measure({ id: `matmul_${n}`, label: 'Matrix multiply', shape: `${n}x${n} @ ${n}x${n}`, unit: 'GFLOP/s', workPerRepeat: 2 * n * n * n }, timing));
    } finally {
      tf.dispose([a, b]);
    }
  }

  const { size, channels } = sizes.conv2d;
  for (const batch of sizes.conv2d.batches) {
    checkAbort();
    const x = tf.randomUniform([batch, size, size, channels]);
    const w = tf.randomUniform([3, 3, channels, channels]);
    try {
      const timing = await timeRepeats(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), timingOptions);
      record(
        measure(
          {
            id: `conv2d_3x3_${channels}_${size}_b${batch}`,
            label: 'Convolution 3x3',
            shape: `batch ${batch}, ${size}x${size}x${channels} -> ${channels}`,
            unit: 'GFLOP/s',
            workPerRepeat: 2 * batch * size * size * channels * channels * 9,
          },
          timing,
        ),
      );
    } finally {
      tf.dispose([x, w]);
    }
  }

  const dw = sizes.depthwise;
  for (const batch of dw.batches) {
    checkAbort();
    const x = tf.randomUniform([batch, dw.size, dw.size, dw.channels]);
    const w = tf.randomUniform([3, 3, dw.channels, 1]);
    try {
      const timing = await timeRepeats(() => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), timingOptions);
      record(
        measure(
          {
            id: `depthwise_3x3_${dw.channels}_${dw.size}_b${batch}`,
            label: 'Depthwise convolution 3x3',
            shape: `batch ${batch}, ${dw.size}x${dw.size}x${dw.channels}`,
            unit: 'GFLOP/s',
            workPerRepeat: 2 * batch * dw.size * dw.size * dw.channels * 9,
          },
          timing,
        ),
      );
    } finally {
      tf.dispose([x, w]);
    }
  }

  checkAbort();
  const elements = sizes.bandwidthElements;
  const a = tf.randomUniform([elements]);
  const b = tf.randomUniform([elements]);
  try {
    const timing = await timeRepeats(() => tf.add(a, b), timingOptions);
    // Two operands read, one result written.
    record(measure({ id: 'bandwidth_backend_add', label: 'Memory bandwidth (tensor add)', shape: `${elements} floats`, unit: 'GB/s', workPerRepeat: 3 * 4 * elements }, timing));
  } finally {
    tf.dispose([a, b]);
  }

  checkAbort();
  // Filled, so the pages are really mapped before timing starts.
  const source = new Float32Array(elements).fill(1);
  const target = new Float32Array(elements).fill(0);
  const timing = await timeRepeats(() => {
    target.set(source);
  }, timingOptions);
  record(measure({ id: 'bandwidth_js_copy', label: 'Memory bandwidth (JS array copy)', shape: `${elements} floats`, unit: 'GB/s', workPerRepeat: 2 * 4 * elements }, timing));

  return { backend: tf.getBackend(), measures, totalMs: performance.now() - begin, startedAt };
}
