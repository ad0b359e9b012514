/**
 * npx tsx bench/kernels.bench.ts — the wasm gradient kernels of src-main/engine/backend, measured.
 * 1. One 3×3 conv 16→32 on 28×28, batch 64 (stride 1 and 2): forward, our filter and input gradients,
 *    and wasm's own Conv2DBackpropInput; a 3×3 depthwise conv (C=32): forward and both gradients
 *    (filter gradient as the heap loop we use and as composed wasm kernels); max/avg pool gradients,
 *    ours and wasm's own (3×3 stride 1 as on every DARTS edge, 2×2 stride 2).
 *    Also: SplitV/Concat/Sum/Mean/Identity as a DARTS step runs them (ours vs wasm's own), and the SIMD
 *    kernels against their JS fallbacks.
 * 2. A small CNN (conv16, conv32, dense; batch 64): forward + backward + SGD images/s on wasm and cpu,
 *    and PyTorch (bench/torch_train.py, 1 thread) right after wasm, for the ratio.
 *    (Before these kernels wasm could not train at all: Conv2DBackpropFilter was missing.)
 * Each figure is the minimum over a few runs (the fairest figure on a shared, busy machine).
 * Writes bench/results/kernels.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setSimdGradKernelsEnabled } from '../src-main/engine/backend/simd/grad-kernels.js';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import { depthwiseFilterGradByKernels, originalWasmKernels } from '../src-main/engine/backend/wasm-grad-kernels.js';
import { writeJsonAtomic } from '../src-main/engine/util/atomic-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 5);

interface Row { case: string; kernel: string; ms: number }

function minMs(run: () => tf.TensorInfo, reps = REPS): number {
  const backend = tf.backend();
  backend.disposeData(run().dataId); // warm-up: XNNPACK operator creation, heap growth
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = run();
    best = Math.min(best, performance.now() - t0);
    backend.disposeData(out.dataId);
  }
  return best;
}

const kernel = (name: string): tf.KernelFunc => {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`bench/kernels.bench.ts: wasm has no ${name} kernel`);
  return config.kernelFunc;
};
const call = (fn: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: object) => () =>
  fn({ inputs, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;

function convRows(stride: 1 | 2): Row[] {
  const [n, h, ci, co] = [64, 28, 16, 32];
  const oh = h / stride;
  const label = `conv 3x3 ${ci}->${co} ${h}x${h} b${n} s${stride} same`;
  const x = tf.randomNormal([n, h, h, ci]);
  const w = tf.randomNormal([3, 3, ci, co]);
  const dy = tf.randomNormal([n, oh, oh, co]);
  const attrs = { strides: stride, pad: 'same', dilations: 1, dataFormat: 'NHWC', filterShape: [3, 3, ci, co], inputShape: [n, h, h, ci] };
  const original = originalWasmKernels.get('Conv2DBackpropInput');
  const rows: Row[] = [
    { case: label, kernel: 'forward Conv2D', ms: minMs(call(kernel('Conv2D'), { x, filter: w }, attrs)) },
    { case: label, kernel: 'filter grad (ours)', ms: minMs(call(kernel('Conv2DBackpropFilter'), { x, dy }, attrs)) },
    { case: label, kernel: 'input grad (ours)', ms: minMs(call(kernel('Conv2DBackpropInput'), { dy, filter: w }, attrs)) },
  ];
  if (original) rows.push({ case: label, kernel: "input grad (wasm's own)", ms: minMs(call(original.kernelFunc, { dy, filter: w }, attrs), 2) });
  tf.dispose([x, w, dy]);
  return rows;
}

function depthwiseRows(stride: 1 | 2): Row[] {
  const [n, h, c] = [64, 28, 32];
  const oh = h / stride;
  const label = `depthwise 3x3 C${c} ${h}x${h} b${n} s${stride} same`;
  const x = tf.randomNormal([n, h, h, c]);
  const w = tf.randomNormal([3, 3, c, 1]);
  const dy = tf.randomNormal([n, oh, oh, c]);
  const attrs = { strides: stride, pad: 'same', dilations: 1, filterShape: [3, 3, c, 1], inputShape: [n, h, h, c] };
  const rows: Row[] = [
    { case: label, kernel: 'forward DepthwiseConv2dNative', ms: minMs(call(kernel('DepthwiseConv2dNative'), { x, filter: w }, attrs)) },
    { case: label, kernel: 'filter grad (ours: SIMD heap loop)', ms: minMs(call(kernel('DepthwiseConv2dNativeBackpropFilter'), { x, dy }, attrs)) },
    { case: label, kernel: 'filter grad (ours, JS fallback without wasm SIMD)', ms: withoutSimd(() => minMs(call(kernel('DepthwiseConv2dNativeBackpropFilter'), { x, dy }, attrs), 2)) },
    { case: label, kernel: 'filter grad (alt: per-sample depthwise conv + sum)', ms: minMs(call(depthwiseFilterGradByKernels, { x, dy }, attrs)) },
    { case: label, kernel: 'input grad (ours)', ms: minMs(call(kernel('DepthwiseConv2dNativeBackpropInput'), { dy, filter: w }, attrs)) },
  ];
  tf.dispose([x, w, dy]);
  return rows;
}

function poolRows(size: number, stride: number): Row[] {
  const [n, h, c] = [64, 28, 32];
  const label = `pool ${size}x${size} s${stride} same C${c} ${h}x${h} b${n}`;
  const x = tf.randomNormal([n, h, h, c]);
  const y = tf.maxPool(x as tf.Tensor4D, size, stride, 'same');
  const dy = tf.randomNormal(y.shape);
  const attrs = { filterSize: size, strides: stride, pad: 'same' };
  const rows: Row[] = [
    { case: label, kernel: 'forward MaxPool', ms: minMs(call(kernel('MaxPool'), { x }, attrs)) },
    { case: label, kernel: 'MaxPoolGrad (ours: SIMD)', ms: minMs(call(kernel('MaxPoolGrad'), { dy, input: x, output: y }, attrs)) },
    { case: label, kernel: 'MaxPoolGrad (ours, JS fallback without wasm SIMD)', ms: withoutSimd(() => minMs(call(kernel('MaxPoolGrad'), { dy, input: x, output: y }, attrs), 2)) },
  ];
  const originalMax = originalWasmKernels.get('MaxPoolGrad');
  if (originalMax) rows.push({ case: label, kernel: "MaxPoolGrad (wasm's own, gives wrong values)", ms: minMs(call(originalMax.kernelFunc, { dy, input: x, output: y }, attrs)) });
  rows.push({ case: label, kernel: 'AvgPoolGrad (ours)', ms: minMs(call(kernel('AvgPoolGrad'), { dy, input: x }, attrs)) });
  const originalAvg = originalWasmKernels.get('AvgPoolGrad');
  if (originalAvg) rows.push({ case: label, kernel: "AvgPoolGrad (wasm's own)", ms: minMs(call(originalAvg.kernelFunc, { dy, input: x }, attrs)) });
  tf.dispose([x, y, dy]);
  return rows;
}

function withoutSimd<T>(fn: () => T): T {
  setSimdGradKernelsEnabled(false);
  try {
    return fn();
  } finally {
    setSimdGradKernelsEnabled(true);
  }
}

/** Ours and wasm's own, interleaved by minMs's repetitions on the same inputs. */
function versusOriginal(label: string, name: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: object): Row[] {
  const original = originalWasmKernels.get(name);
  const rows: Row[] = [{ case: label, kernel: `${name} (ours)`, ms: minMs(call(kernel(name), inputs as tf.NamedTensorInfoMap, attrs)) }];
  if (original) rows.push({ case: label, kernel: `${name} (wasm's own)`, ms: minMs(call(original.kernelFunc, inputs as tf.NamedTensorInfoMap, attrs)) });
  return rows;
}

/** The data movement and reductions of a DARTS step: concat gradient, batch statistics, clones. */
function layoutRows(): Row[] {
  const x = tf.randomNormal([64, 14, 14, 32]);
  const parts = [0, 1, 2, 3].map(() => tf.randomNormal([64, 14, 14, 8]));
  const label = 'NHWC [64,14,14,32]';
  const first = (run: () => tf.TensorInfo | tf.TensorInfo[]) => () => {
    const outs = run();
    if (!Array.isArray(outs)) return outs;
    outs.slice(1).forEach((o) => tf.backend().disposeData(o.dataId));
    return outs[0];
  };
  const rows: Row[] = [];
  for (const [name, fn] of [['SplitV', kernel('SplitV')], ['SplitV', originalWasmKernels.get('SplitV')?.kernelFunc]] as const) {
    if (fn) rows.push({ case: `${label} split 4x8 channels`, kernel: `SplitV (${fn === kernel(name) ? 'ours' : "wasm's own"})`, ms: minMs(first(() => fn({ inputs: { x }, backend: tf.backend(), attrs: { numOrSizeSplits: [8, 8, 8, 8], axis: 3 } as unknown as tf.NamedAttrMap }) as tf.TensorInfo[])) });
  }
  rows.push(...versusOriginal(`${label} from 4x8 channels`, 'Concat', parts, { axis: 3 }));
  rows.push(...versusOriginal(`${label} over axes 0,1,2`, 'Sum', { x }, { axis: [0, 1, 2], keepDims: false }));
  rows.push(...versusOriginal(`${label} over axes 0,1,2`, 'Mean', { x }, { axis: [0, 1, 2], keepDims: false }));
  rows.push(...versusOriginal(label, 'Identity', { x }, {}));
  tf.dispose([x, ...parts]);
  return rows;
}

/** PyTorch on the same CPU and thread count (bench/torch_train.py), when python3 with torch is installed. */
function torchImagesPerSecond(): number | undefined {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'; // Debian's python3-torch
  const run = spawnSync(python, [path.join(here, 'torch_train.py'), '--net', 'small_cnn', '--batch', '64', '--threads', '1', '--steps', '10'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return Math.round((JSON.parse(line) as { img_s: number }).img_s);
  } catch {
    return undefined;
  }
}

/** conv16 → pool → conv32 → pool → dense10 on 28×28×1, batch 64: forward + backward + SGD, images/s. */
async function smallCnnImagesPerSecond(backend: 'wasm' | 'cpu', steps: number): Promise<{ img_s: number; step_ms: number; tensors_flat: boolean }> {
  await tf.setBackend(backend);
  const batch = 64;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  const step = () => tf.tidy(() => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true);
    loss?.dataSync();
  });
  step();
  const before = tf.memory().numTensors;
  let best = Infinity;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    best = Math.min(best, performance.now() - t0);
  }
  const tensorsFlat = tf.memory().numTensors === before;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { img_s: Math.round((batch / best) * 1000), step_ms: Math.round(best), tensors_flat: tensorsFlat };
}

const report = await selectBackend({ prefer: 'wasm' });
if (report.name !== 'wasm') throw new Error(`bench/kernels.bench.ts needs the wasm backend, got ${report.name}`);
const rows = [...convRows(1), ...convRows(2), ...depthwiseRows(1), ...depthwiseRows(2), ...poolRows(3, 1), ...poolRows(2, 2), ...layoutRows()];
// wasm and PyTorch back to back, so both see the same machine load.
const wasmCnn = await smallCnnImagesPerSecond('wasm', REPS);
const torchImgS = torchImagesPerSecond();
const cnn = {
  wasm: wasmCnn,
  cpu: await smallCnnImagesPerSecond('cpu', 1),
};

const result = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), loadavg_1min: os.loadavg()[0] },
  tfjs: tf.version.tfjs,
  wasm: { simd: report.simd, threads: report.threads },
  reps: REPS,
  kernels_ms: rows.map((r) => ({ ...r, ms: Number(r.ms.toFixed(2)) })),
  small_cnn_train_img_s: cnn,
  small_cnn_torch_1_thread_img_s: torchImgS ?? null,
  small_cnn_wasm_over_torch: torchImgS ? Number((cnn.wasm.img_s / torchImgS).toFixed(2)) : null,
};
writeJsonAtomic(path.join(here, 'results', 'kernels.json'), result);

console.log(`wasm (simd ${report.simd}, threads ${report.threads}); load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores; min of ${REPS} runs`);
console.table(rows.map((r) => ({ case: r.case, kernel: r.kernel, ms: Number(r.ms.toFixed(1)) })));
console.table(Object.entries(cnn).map(([backend, m]) => ({ 'small CNN, batch 64': backend, 'img/s': m.img_s, 'step ms': m.step_ms, 'tensors flat': m.tensors_flat })));
console.log(torchImgS ? `PyTorch (1 thread, same run): ${torchImgS} img/s; wasm / torch = ${result.small_cnn_wasm_over_torch}` : 'PyTorch not available (python3 -c "import torch" failed): no ratio');
