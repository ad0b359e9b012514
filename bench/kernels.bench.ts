/**
 * npx tsx bench/kernels.bench.ts — the wasm gradient kernels of src-main/engine/backend, measured.
 * 1. One 3×3 conv 16→32 on 28×28, batch 64 (stride 1 and 2): forward, our filter and input gradients,
 *    and wasm's own Conv2DBackpropInput; a 3×3 depthwise conv (C=32): forward and both gradients
 *    (filter gradient as the heap loop we use and as composed wasm kernels); max/avg pool gradients,
 *    ours and wasm's own (3×3 stride 1 as on every DARTS edge, 2×2 stride 2).
 * 2. A small CNN (conv16, conv32, dense; batch 64): forward + backward + SGD images/s on wasm and cpu.
 *    (Before these kernels wasm could not train at all: Conv2DBackpropFilter was missing.)
 * Each figure is the minimum over a few runs (the fairest figure on a shared, busy machine).
 * Writes bench/results/kernels.json and prints a table.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
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
    { case: label, kernel: 'filter grad (ours: heap loop)', ms: minMs(call(kernel('DepthwiseConv2dNativeBackpropFilter'), { x, dy }, attrs)) },
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
    { case: label, kernel: 'MaxPoolGrad (ours)', ms: minMs(call(kernel('MaxPoolGrad'), { dy, input: x, output: y }, attrs)) },
  ];
  const originalMax = originalWasmKernels.get('MaxPoolGrad');
  if (originalMax) rows.push({ case: label, kernel: "MaxPoolGrad (wasm's own, gives wrong values)", ms: minMs(call(originalMax.kernelFunc, { dy, input: x, output: y }, attrs)) });
  rows.push({ case: label, kernel: 'AvgPoolGrad (ours)', ms: minMs(call(kernel('AvgPoolGrad'), { dy, input: x }, attrs)) });
  const originalAvg = originalWasmKernels.get('AvgPoolGrad');
  if (originalAvg) rows.push({ case: label, kernel: "AvgPoolGrad (wasm's own)", ms: minMs(call(originalAvg.kernelFunc, { dy, input: x }, attrs)) });
  tf.dispose([x, y, dy]);
  return rows;
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
const rows = [...convRows(1), ...convRows(2), ...depthwiseRows(1), ...depthwiseRows(2), ...poolRows(3, 1), ...poolRows(2, 2)];
const cnn = {
  wasm: await smallCnnImagesPerSecond('wasm', REPS),
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
};
writeJsonAtomic(path.join(here, 'results', 'kernels.json'), result);

console.log(`wasm (simd ${report.simd}, threads ${report.threads}); load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores; min of ${REPS} runs`);
console.table(rows.map((r) => ({ case: r.case, kernel: r.kernel, ms: Number(r.ms.toFixed(1)) })));
console.table(Object.entries(cnn).map(([backend, m]) => ({ 'small CNN, batch 64': backend, 'img/s': m.img_s, 'step ms': m.step_ms, 'tensors flat': m.tensors_flat })));
