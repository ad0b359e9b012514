/**
 * npx tsx bench/small-cnn-ops.bench.ts — why the small CNN trains slower on wasm than in PyTorch, op by op.
 * Each of the small CNN's kernels at batch 64 (the ones its training step runs, bench/models/small-cnn.ts),
 * on the wasm backend with the engine's gradient kernels and in PyTorch (bench/torch_ops.py), one thread,
 * timed in process CPU time (best of 3 blocks of 30 calls), interleaved so both see the same machine.
 * Also the whole step (tf.variableGrads of the loss) against the sum of its kernels, which is the
 * per-kernel overhead of the tfjs engine (tape, dispatch, allocation).
 * Writes bench/results/small-cnn-ops.json and prints a table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import { classificationTask } from '../src-main/engine/tasks/classification.task.js';
import { writeJsonAtomic } from '../src-main/engine/util/atomic-write.js';
import { smallCnn } from './models/small-cnn.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const REPS = 30;

function cpuMs(run: () => tf.Tensor | tf.Tensor[] | void): number {
  tf.tidy(run);
  let best = Infinity;
  for (let block = 0; block < 3; block++) {
    const start = process.cpuUsage();
    for (let i = 0; i < REPS; i++) tf.tidy(run);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / REPS);
  }
  return best;
}

const report = await selectBackend({ prefer: 'wasm' });
if (report.name !== 'wasm') throw new Error(`bench/small-cnn-ops.bench.ts measures the wasm backend, got ${report.name}`);

const x1 = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
const w1 = tf.randomUniform([3, 3, 1, 16]) as tf.Tensor4D;
const b1 = tf.randomUniform([16]);
const y1 = tf.randomUniform([64, 28, 28, 16]) as tf.Tensor4D;
const x2 = tf.randomUniform([64, 14, 14, 16]) as tf.Tensor4D;
const w2 = tf.randomUniform([3, 3, 16, 32]) as tf.Tensor4D;
const b2 = tf.randomUniform([32]);
const dy2 = tf.randomUniform([64, 14, 14, 32]) as tf.Tensor4D;
const flat = tf.randomUniform([64, 1568]) as tf.Tensor2D;
const wd = tf.randomUniform([1568, 10]) as tf.Tensor2D;
const dyd = tf.randomUniform([64, 10]) as tf.Tensor2D;
const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC' } as const;
const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

const tfjsOps: Record<string, () => tf.Tensor | tf.Tensor[]> = {
  'conv1 forward (1->16, 28x28) + bias + relu': () => tf.fused.conv2d({ x: x1, filter: w1, strides: 1, pad: 'same', bias: b1, activation: 'relu' }),
  'conv1 filter gradient': () => [run('Conv2DBackpropFilter', { x: x1, dy: y1 }, { ...conv, filterShape: [3, 3, 1, 16] }), tf.sum(y1, [0, 1, 2])],
  'conv2 forward (16->32, 14x14) + bias + relu': () => tf.fused.conv2d({ x: x2, filter: w2, strides: 1, pad: 'same', bias: b2, activation: 'relu' }),
  'conv2 filter gradient': () => [run('Conv2DBackpropFilter', { x: x2, dy: dy2 }, { ...conv, filterShape: [3, 3, 16, 32] }), tf.sum(dy2, [0, 1, 2])],
  'conv2 input gradient': () => run('Conv2DBackpropInput', { dy: dy2, filter: w2 }, { ...conv, inputShape: [64, 14, 14, 16] }),
  'maxpool 2x2 forward (28x28x16)': () => tf.maxPool(y1, 2, 2, 'valid'),
  'maxpool 2x2 forward + gradient (28x28x16)': () => {
    const out = tf.maxPool(y1, 2, 2, 'valid');
    return run('MaxPoolGrad', { dy: out, input: y1, output: out }, { filterSize: 2, strides: 2, pad: 'valid' });
  },
  // What the fused conv's relu gradient runs (tfjs-core: dy · step(y)).
  'relu gradient (28x28x16)': () => tf.mul(y1, tf.step(y1)),
  'dense 1568->10 forward + both gradients': () => [tf.matMul(flat, wd), tf.matMul(flat, dyd, true, false), tf.matMul(dyd, wd, false, true)],
};

/** The whole training step's gradient computation, for the engine overhead beyond the kernels. */
const task = classificationTask([28, 28, 1], 10);
const model = smallCnn();
const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
const labels = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10);
const wholeStep = () => {
  const { value } = tf.variableGrads(() => task.loss(model.apply(x1, { training: true }) as tf.Tensor, labels) as tf.Scalar, vars);
  value.dataSync();
};

// Interleaved: tfjs, PyTorch, tfjs, PyTorch; the minimum of the two rounds per side.
const tfjsRounds: Record<string, number>[] = [];
const torchRounds: Record<string, number>[] = [];
let stepMs = Infinity;
for (let r = 0; r < 2; r++) {
  tfjsRounds.push(Object.fromEntries(Object.entries(tfjsOps).map(([name, op]) => [name, cpuMs(op)])));
  stepMs = Math.min(stepMs, cpuMs(wholeStep));
  const out = execFileSync(PYTHON, [path.join(here, 'torch_ops.py')], { encoding: 'utf8' });
  torchRounds.push(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>);
}
const best = (rounds: Record<string, number>[], name: string) => Math.min(...rounds.map((r) => r[name] ?? Infinity));
const rows = Object.keys(tfjsOps).map((name) => {
  const tfjs = best(tfjsRounds, name);
  const torch = best(torchRounds, name);
  return { op: name, tfjs_ms: +tfjs.toFixed(2), torch_ms: +torch.toFixed(2), tfjs_over_torch: +(tfjs / torch).toFixed(2) };
});
const kernelsInStep = ['conv1 forward (1->16, 28x28) + bias + relu', 'conv2 forward (16->32, 14x14) + bias + relu', 'conv1 filter gradient', 'conv2 filter gradient', 'conv2 input gradient', 'dense 1568->10 forward + both gradients']
  .reduce((s, name) => s + best(tfjsRounds, name), 0);

const result = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), loadavg: os.loadavg().map((l) => +l.toFixed(2)) },
  timing: 'process CPU time per call, 1 thread, best of 3 blocks of 30 calls, min over 2 interleaved rounds',
  ops: rows,
  tfjs_whole_step_ms: +stepMs.toFixed(2),
  tfjs_conv_and_dense_kernels_ms: +kernelsInStep.toFixed(2),
};
writeJsonAtomic(path.join(here, 'results', 'small-cnn-ops.json'), result);
console.table(rows);
console.log(`tfjs whole gradient step ${stepMs.toFixed(1)} ms CPU, of which conv and dense kernels ${kernelsInStep.toFixed(1)} ms`);
console.log(`written: ${path.join(here, 'results', 'small-cnn-ops.json')}`);
