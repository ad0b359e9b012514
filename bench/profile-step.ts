/**
 * npx tsx bench/profile-step.ts [derived|supernet|small|both] [steps] — where one training step's time goes on
 * the wasm backend, kernel by kernel (tf.profile kernelTimeMs, summed per kernel name).
 *  - small: the Compute issue's small CNN (bench/models/small-cnn.ts), batch 64, tf.variableGrads of the loss;
 *  - derived: the retrained DARTS_V2 model (tf.layers, C=8, 5 cells, stem ×3 stride 2), batch 64,
 *    tf.variableGrads of the task loss;
 *  - supernet: one GDAS weight step of the DARTS supernet (C=8, 5 cells, stem ×3 stride 2), batch 64.
 * PROFILE_BATCH and PROFILE_STRATEGY (e.g. darts: every op on every edge) change batch and strategy;
 * PROFILE_GENOTYPE (a DARTS genotype string) replaces DARTS_V2 for `derived`.
 * Prints step time (min over steps) and the top kernels. On a shared machine compare runs interleaved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend/select-backend.js';
import { buildDerivedModel } from '../src-main/engine/derive/build-derived-model.js';
import { SupernetReplica, type SupernetReplicaOptions } from '../src-main/engine/search/supernet.replica.js';
import { parseGenotype } from '../src-main/engine/space/genotype.js';
import { classificationTask } from '../src-main/engine/tasks/classification.task.js';
import { Rng } from '../src-main/engine/util/rng.js';
import { smallCnn } from './models/small-cnn.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const which = process.argv[2] ?? 'both';
const STEPS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.env.PROFILE_BATCH ?? 64);
const STRATEGY = (process.env.PROFILE_STRATEGY ?? 'gdas') as SupernetReplicaOptions['strategy'];
const TOP = Number(process.env.PROFILE_TOP ?? 16);

/** Runs step a few times (min time), then once under tf.profile; prints the kernels by total time. */
async function profile(label: string, step: () => void): Promise<void> {
  step();
  let best = Infinity;
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    step();
    best = Math.min(best, performance.now() - t0);
  }
  const info = await tf.profile(step);
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`\n${label}: step ${best.toFixed(0)} ms (${((BATCH * 1000) / best).toFixed(0)} img/s), ${info.kernels.length} kernel calls, ${total.toFixed(0)} ms inside kernels`);
  console.table([...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)
    .map(([name, e]) => ({ kernel: name, calls: e.calls, ms: Number(e.ms.toFixed(1)), per_call_ms: Number((e.ms / e.calls).toFixed(3)) })));
}

function digits(n: number) {
  const rng = new Rng(3);
  return {
    name: 'random digits', x: Float32Array.from({ length: n * 784 }, () => rng.next()), xShape: [n, 28, 28, 1],
    y: Int32Array.from({ length: n }, () => rng.int(10)), classes: [...'0123456789'],
  };
}

async function derived(): Promise<void> {
  const task = classificationTask([28, 28, 1], 10);
  const genotype = parseGenotype(process.env.PROFILE_GENOTYPE ?? readFileSync(path.join(here, '../test/fixtures/genotypes/darts-v2.txt'), 'utf8'));
  const model = buildDerivedModel(genotype, task, { channels: 8, cells: 5, nodes: 4, stemMultiplier: 3, stemStride: 2, reductions: true, seed: 1 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomUniform([BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10);
  await profile(`derived ${process.env.PROFILE_GENOTYPE ? 'genotype' : 'DARTS_V2'} (${model.layers.length} layers)`, () => tf.tidy(() => {
    const { value } = tf.variableGrads(() => task.loss(model.apply(x, { training: true }) as tf.Tensor, y) as tf.Scalar, vars);
    value.dataSync();
  }));
  tf.dispose([x, y]);
  model.dispose();
}

async function supernet(): Promise<void> {
  const options: SupernetReplicaOptions = {
    space: 'darts', nodes: 4, task: 'classification', strategy: STRATEGY, channels: 8, cells: 5, stemMultiplier: 3, stemStride: 2,
    seed: 1, totalSteps: 1000, epochs: 1, weightOptimizer: 'sgd', lrW: 0.025, lrWMin: 0.001, lrA: 3e-4,
    weightDecay: 3e-4, archWeightDecay: 1e-3, gradClip: 5, guard: 'none',
  };
  const data = digits(BATCH);
  const replica = SupernetReplica.fromOptions(options, { weight: data, arch: data });
  const indices = Int32Array.from({ length: BATCH }, (_, i) => i);
  let step = 0;
  await profile(`supernet ${STRATEGY} weight step`, () => {
    replica.gradients('weights', 'weight', indices, { step: step++, epoch: 1, epochs: 1, totalSteps: 1000, seed: 1 });
  });
}

async function small(): Promise<void> {
  const task = classificationTask([28, 28, 1], 10);
  const model = smallCnn();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomUniform([BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10);
  await profile('small CNN', () => tf.tidy(() => {
    const { value } = tf.variableGrads(() => task.loss(model.apply(x, { training: true }) as tf.Tensor, y) as tf.Scalar, vars);
    value.dataSync();
  }));
  tf.dispose([x, y]);
  model.dispose();
}

const report = await selectBackend({ prefer: 'wasm' });
if (report.name !== 'wasm') throw new Error(`bench/profile-step.ts profiles the wasm backend, got ${report.name}`);
if (which === 'derived' || which === 'both') await derived();
if (which === 'supernet' || which === 'both') await supernet();
if (which === 'small') await small();
