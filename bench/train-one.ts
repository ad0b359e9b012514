/**
 * One measurement for bench/train.bench.ts, in its own process (a tfjs backend is per process):
 *   tsx bench/train-one.ts <small_cnn|supernet> <batch> <replicas> <warm-up steps> <min steps> <min seconds> <max seconds>
 * with NAS_STUDIO_BACKEND choosing the backend. After the warm-up it measures at least <min steps> steps
 * and <min seconds> seconds, stopping at <max seconds> (after one step at least). Prints one JSON line:
 * img_s (wall clock), img_cpu_s (images per CPU second of the process, worker threads included), peak
 * RSS, this thread's wasm heap high-water mark (wasm memory only grows), and whether the tensor count
 * stayed flat. A wasm heap exhaustion prints {"error": ..., "oom": true} and exits 3.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../src-main/engine/data/dataset.types.js';
import { DataParallel } from '../src-main/engine/parallel/data-parallel.js';
import { supernetReplicaSpec, type SupernetReplicaOptions } from '../src-main/engine/search/supernet.replica.js';
import { explainWasmOutOfMemory } from '../src-main/engine/search/out-of-memory.js';
import { Rng } from '../src-main/engine/util/rng.js';

const [net, batchArg, replicasArg, warmupArg, minStepsArg, minSecondsArg, maxSecondsArg] = process.argv.slice(2);
const batch = Number(batchArg);
const replicas = Number(replicasArg);
const WARMUP = Number(warmupArg ?? 2);
const MIN_STEPS = Number(minStepsArg ?? 10);
const MIN_SECONDS = Number(minSecondsArg ?? 4);
const MAX_SECONDS = Number(maxSecondsArg ?? 30);

function randomDigits(n: number): ArrayDataset {
  const rng = new Rng(1);
  return {
    name: 'random 28×28',
    x: Float32Array.from({ length: n * 784 }, () => rng.next()),
    xShape: [n, 28, 28, 1],
    y: Int32Array.from({ length: n }, () => rng.int(10)),
    classes: [...'0123456789'],
  };
}

/** The Compute issue's DARTS supernet: 8 primitives, C=8, stem 16, 4 cells (reductions at 1/3, 2/3), 4 nodes. */
const SUPERNET: SupernetReplicaOptions = {
  space: 'darts',
  nodes: 4,
  task: 'classification',
  strategy: 'darts',
  channels: 8,
  cells: 4,
  stemMultiplier: 2,
  stemStride: 1,
  seed: 1,
  totalSteps: 1000,
  epochs: 1,
  weightOptimizer: 'sgd',
  lrW: 0.025,
  lrWMin: 0.001,
  lrA: 3e-4,
  weightDecay: 3e-4,
  archWeightDecay: 1e-3,
  gradClip: 5,
  guard: 'none',
};

const SPECS: Record<string, { module: string; options: unknown; data: string }> = {
  small_cnn: { module: new URL('./models/small-cnn.replica.ts', import.meta.url).href, options: { learningRate: 1e-3 }, data: 'train' },
  supernet: { ...supernetReplicaSpec(SUPERNET), data: 'weight' },
};

const backend = await selectBackend();
const digits = randomDigits(batch);
const spec = SPECS[net];
const { parallel, warning } = await DataParallel.create(spec, { train: digits, weight: digits, arch: digits }, replicas);
const indices = Int32Array.from({ length: batch }, (_, i) => i);
// totalSteps only shapes the learning-rate schedule; the step count is not known in advance here.
const ctx = (step: number) => ({ step, epoch: 1, epochs: 1, totalSteps: 1000, seed: 1 });
try {
  for (let s = 0; s < WARMUP; s++) await parallel.step('weights', spec.data, indices, ctx(s));
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let steps = 0;
  for (;;) {
    await parallel.step('weights', spec.data, indices, ctx(WARMUP + steps));
    steps++;
    const elapsed = (performance.now() - started) / 1000;
    if ((steps >= MIN_STEPS && elapsed >= MIN_SECONDS) || elapsed >= MAX_SECONDS) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const tensorsAfter = tf.memory().numTensors;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  console.log(
    JSON.stringify({
      net,
      backend: backend.name,
      batch,
      threads: parallel.replicas,
      img_s: (batch * steps) / seconds,
      img_cpu_s: (batch * steps) / cpuSeconds,
      steps,
      seconds,
      cpu_seconds: cpuSeconds,
      step_ms: (seconds * 1000) / steps,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      wasm_heap_mb: wasm ? wasm.HEAPU8.buffer.byteLength / 2 ** 20 : null,
      tensors_flat: tensorsBefore === tensorsAfter,
      warning: warning ?? null,
    }),
  );
} catch (error) {
  const explained = explainWasmOutOfMemory(error, { what: net === 'supernet' ? 'supernet' : 'small CNN', batchSize: batch, workers: parallel.replicas });
  if (!explained) throw error;
  console.log(JSON.stringify({ net, backend: backend.name, batch, threads: parallel.replicas, error: explained.message, oom: true }));
  process.exit(3);
}
await parallel.close();
process.exit(0);
