import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src-main/contract/result.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { createReplica, derivedReplicaSpec, type DerivedReplicaOptions } from '../../../src-main/engine/derive/derived.replica.js';
import { evaluateModel } from '../../../src-main/engine/derive/evaluate.js';
import { retrainModel } from '../../../src-main/engine/derive/retrain.js';
import type { LayersModelReplica } from '../../../src-main/engine/parallel/layers-model.replica.js';
import { sizeOf } from '../../../src-main/engine/parallel/flat-grads.js';
import type { StepContext } from '../../../src-main/engine/parallel/replica.types.js';
import { runSearch } from '../../../src-main/engine/search/run-search.js';
import { SupernetReplica, type SupernetReplicaOptions } from '../../../src-main/engine/search/supernet.replica.js';
import { parseGenotype } from '../../../src-main/engine/space/genotype.js';
import { createTask } from '../../../src-main/engine/tasks/task-factory.js';
import { Rng } from '../../../src-main/engine/util/rng.js';
import { writeTinyImageFolder } from '../../cli/cli-harness.js';

/**
 * WebGPU through Dawn on SwiftShader, Chromium's Vulkan driver that runs on the processor: the GPU path
 * runs here without a GPU (slowly: every model is tiny). Debian's chromium package ships the driver;
 * npm test's pretest installs chromium and libvulkan1 (the Vulkan loader).
 */
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const LOADER = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'];
const missing = !existsSync(ICD)
  ? `SwiftShader's Vulkan driver ${ICD} is missing (apt-get install chromium)`
  : !LOADER.some(existsSync)
    ? 'the Vulkan loader libvulkan.so.1 is missing (apt-get install libvulkan1)'
    : undefined;
if (missing) console.warn(`webgpu tests skipped: ${missing}`);

function dataset(n: number, side: number, classes: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * side * side }, () => rng.next());
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { name: 'synthetic', x, xShape: [n, side, side, 1], y, classes: Array.from({ length: classes }, (_, i) => `c${i}`) };
}

/** Every weight of a model (trainable and BN statistics), read asynchronously (WebGPU has no synchronous read). */
async function weightsOf(replica: LayersModelReplica): Promise<Float32Array> {
  const parts = await Promise.all(replica.model.weights.map((w) => w.read().data()));
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p as Float32Array, offset);
    offset += p.length;
  }
  return out;
}

/** Largest |a − b| relative to the largest |a| (at least 1). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

const MODEL = { channels: 4, cells: 2, nodes: 4, stemMultiplier: 2, stemStride: 1 as const, reductions: true, seed: 3 };
const CTX: StepContext = { step: 3, epoch: 0, epochs: 1, totalSteps: 10, seed: 1 };
/** A one-cell NB201 supernet on 8×8 images, searched by GDAS. */
const SUPERNET: SupernetReplicaOptions = {
  space: 'nb201', nodes: 4, task: 'classification', strategy: 'gdas', channels: 4, cells: 1, stemMultiplier: 1, stemStride: 1, seed: 5,
  totalSteps: 10, epochs: 1, weightOptimizer: 'sgd', lrW: 0.05, lrWMin: 0.001, lrA: 3e-3, weightDecay: 3e-4, archWeightDecay: 1e-3, gradClip: 5, guard: 'none',
};
/** A run that takes seconds on wasm: 24 images of 8×8, a one-cell NB201 network, one worker. */
const TINY_RUN = { space: 'nb201' as const, retrainEpochs: 1, batchSize: 4, channels: 4, cells: 1, workers: 1, seed: 1 };

describe.skipIf(missing !== undefined)('webgpu on SwiftShader', () => {
  let backend: Awaited<ReturnType<typeof import('../../../src-main/engine/backend/select-backend.js')['selectBackend']>>;

  beforeAll(async () => {
    process.env.VK_ICD_FILENAMES = ICD;
    process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
    process.env.NAS_STUDIO_BACKEND = 'webgpu';
    const { selectBackend } = await import('../../../src-main/engine/backend/select-backend.js');
    backend = await selectBackend();
    delete process.env.NAS_STUDIO_BACKEND;
  }, 60_000);

  it('starts webgpu on the SwiftShader adapter and names it', () => {
    expect(backend.name).toBe('webgpu');
    expect(backend.chosenBy).toBe('forced');
    expect(backend.adapter).toMatch(/SwiftShader/);
    expect(backend.tried).toEqual([expect.objectContaining({ name: 'webgpu', loaded: true, adapter: backend.adapter, why: expect.stringMatching(/emulated/) })]);
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('a synchronous read of GPU data fails and says why; an awaited read works', async () => {
    const { WEBGPU_SYNC_READ } = await import('../../../src-main/engine/backend/webgpu-backend.js');
    // Large enough to run on the GPU (tfjs-webgpu computes tensors under 1,000 elements on the CPU).
    const t = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
    expect(() => t.dataSync()).toThrow(WEBGPU_SYNC_READ);
    const values = await t.data();
    expect(values.length).toBe(64 * 64);
    expect(values.every((v) => v === 64)).toBe(true);
    t.dispose();
  });

  // NB201's ops (conv 1×1 and 3×3, avg pool with its border-corrected gradient, skip, BN), then DARTS's
  // (separable and dilated convs with their gradients, max pool, factorized reduce in the reduction cell).
  it.each([
    ['nb201', '|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|'],
    [
      'darts',
      "Genotype(normal=[('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 0), ('dil_conv_5x5', 3), ('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 2), ('dil_conv_3x3', 0), ('avg_pool_3x3', 1), ('sep_conv_3x3', 2), ('max_pool_3x3', 0), ('dil_conv_3x3', 3)], reduce_concat=[2, 3, 4, 5])",
    ],
  ])('one training step of a derived %s model agrees with the cpu backend: loss, gradients and the Adam update', async (_space, genotype) => {
    const train = dataset(6, 8, 3, 11);
    const indices = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const options: DerivedReplicaOptions = { genotype, task: 'classification', model: MODEL, learningRate: 0.01 };

    await tf.setBackend('cpu');
    const onCpu = (await createReplica(options, { train })) as LayersModelReplica;
    const start = await onCpu.snapshot();
    const cpuStep = onCpu.gradients('weights', 'train', indices, CTX);
    onCpu.apply('weights', cpuStep.grads, CTX);
    const cpuAfter = await onCpu.snapshot();
    onCpu.dispose();

    await tf.setBackend('webgpu');
    const onGpu = (await createReplica(options, { train })) as LayersModelReplica;
    onGpu.load(start);
    const gpuStep = await onGpu.gradientsAsync('weights', 'train', indices, CTX);
    // The update from the same gradients (cpu's): Adam's first step is lr·sign(g), so a gradient that is
    // float noise (~1e-9) on one backend could flip its sign on the other; the optimizers must agree exactly.
    onGpu.apply('weights', cpuStep.grads, CTX);
    const gpuAfter = await weightsOf(onGpu);
    onGpu.dispose();

    expect(gpuStep.loss).toBeCloseTo(cpuStep.loss, 4);
    expect(gpuStep.score).toBe(cpuStep.score);
    expect(cpuStep.grads.some((g) => g !== 0)).toBe(true);
    expect(relativeError(cpuStep.grads, gpuStep.grads)).toBeLessThan(1e-4);
    expect(relativeError(cpuAfter, start)).toBeGreaterThan(1e-3); // the step moved the weights…
    expect(relativeError(cpuAfter, gpuAfter)).toBeLessThan(1e-5); // …the same way on both (device Adam = host Adam)
  }, 240_000);

  it('retrains a derived model and evaluates it on webgpu', async () => {
    await tf.setBackend('webgpu');
    const train = dataset(48, 8, 3, 5);
    const test = dataset(24, 8, 3, 6);
    const spec = derivedReplicaSpec({ genotype: '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|', task: 'classification', model: MODEL, learningRate: 0.01 });
    const result = await retrainModel(spec, train, { epochs: 2, batchSize: 16, seed: 0, replicas: 2, scoreName: 'accuracy' });
    expect(result.replicas).toBe(1); // one worker per GPU, though two were asked for
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    const { metrics } = await evaluateModel(result.model, createTask('classification', { train }), test);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    result.model.dispose();
  }, 240_000);

  it('exports int8 TFLite and the C header from a model whose weights are on the GPU (calibration reads are awaited)', async () => {
    await tf.setBackend('webgpu');
    const { exportModel } = await import('../../../src-main/engine/export/export-run.js');
    const { harModel, sampleInputs } = await import('../export/export-fixtures.js');
    const model = harModel();
    const testInputs = sampleInputs(model, 12, 6);
    const calibration = sampleInputs(model, 20, 5);
    tf.tidy(() => void model.predict(testInputs)); // the weights move to the GPU
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'nas-webgpu-export-'));
    try {
      const report = await exportModel(model, { formats: ['tflite-int8', 'c'], outDir: path.join(outDir, 'out'), testInputs, calibration });
      const int8 = report.exports.find((e) => e.format === 'tflite-int8');
      expect(int8?.verified, int8?.note).toBe(true);
      expect(report.exports.find((e) => e.format === 'c')?.bytes).toBeGreaterThan(0);
    } finally {
      tf.dispose([testInputs, calibration]);
      model.dispose();
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 240_000);

  // GDAS: hard Gumbel samples (argmax on the alphas read before the step), straight-through weights, the
  // supernet skipping the ops off the path. Weights on momentum SGD, alphas on Adam, both on the device.
  it('one GDAS search step on a tiny supernet agrees with the cpu backend: losses, gradients and the device optimizers', async () => {
    const options = SUPERNET;
    const datasets = { weight: dataset(8, 8, 3, 21), arch: dataset(8, 8, 3, 22) };
    const indices = Int32Array.from({ length: 8 }, (_, i) => i);

    await tf.setBackend('cpu');
    const onCpu = SupernetReplica.fromOptions(options, datasets);
    const start = await onCpu.snapshot();
    const cpuArch = onCpu.gradients('alphas', 'arch', indices, CTX);
    onCpu.apply('alphas', cpuArch.grads, CTX, cpuArch.present);
    const cpuWeights = onCpu.gradients('weights', 'weight', indices, CTX);
    onCpu.apply('weights', cpuWeights.grads, CTX, cpuWeights.present);
    const cpuAfter = await onCpu.snapshot();
    const variables = sizeOf([...onCpu.weightVars, ...onCpu.archVars]);
    onCpu.dispose();

    await tf.setBackend('webgpu');
    const onGpu = SupernetReplica.fromOptions(options, datasets);
    onGpu.load(start);
    const gpuArch = await onGpu.gradientsAsync('alphas', 'arch', indices, CTX);
    // Both apply cpu's gradients: the optimizers must agree from the same input (see the derived-model test).
    onGpu.apply('alphas', cpuArch.grads, CTX, cpuArch.present);
    const gpuWeights = await onGpu.gradientsAsync('weights', 'weight', indices, CTX);
    onGpu.apply('weights', cpuWeights.grads, CTX, cpuWeights.present);
    const gpuAfter = await onGpu.snapshot();
    // A further step leaves no tensor behind (the first one also fills the ops' per-backend caches).
    const tensors = tf.memory().numTensors;
    const next = { ...CTX, step: CTX.step + 1 };
    for (const [phase, data] of [['alphas', 'arch'], ['weights', 'weight']]) {
      const g = await onGpu.gradientsAsync(phase, data, indices, next);
      onGpu.apply(phase, g.grads, next, g.present);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    onGpu.dispose();

    for (const [cpu, gpu] of [[cpuArch, gpuArch], [cpuWeights, gpuWeights]]) {
      expect(gpu.loss).toBeCloseTo(cpu.loss, 4);
      expect(gpu.score).toBe(cpu.score);
      expect(Array.from(gpu.present!)).toEqual(Array.from(cpu.present!)); // the same sampled path
      expect(cpu.grads.some((g) => g !== 0)).toBe(true);
      expect(relativeError(cpu.grads, gpu.grads)).toBeLessThan(1e-4);
    }
    // Variables, then the optimizers' slots, then step counts and the sampling stream (compared exactly).
    const tail = cpuAfter.length - (onCpu.weightVars.length + onCpu.archVars.length + 2);
    expect(relativeError(cpuAfter.subarray(0, variables), start.subarray(0, variables))).toBeGreaterThan(1e-4); // the step moved them…
    expect(relativeError(cpuAfter.subarray(0, variables), gpuAfter.subarray(0, variables))).toBeLessThan(1e-5); // …the same way
    expect(relativeError(cpuAfter.subarray(variables, tail), gpuAfter.subarray(variables, tail))).toBeLessThan(1e-5);
    expect(Array.from(gpuAfter.subarray(tail))).toEqual(Array.from(cpuAfter.subarray(tail)));
  }, 240_000);

  describe('whole runs on webgpu', () => {
    let root: string;
    let data: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'nas-webgpu-run-'));
      data = writeTinyImageFolder(path.join(root, 'data'), 12);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    /** One run with webgpu forced, as `NAS_STUDIO_BACKEND=webgpu nas-studio search` makes it. */
    async function runOnWebgpu(config: Record<string, unknown>): Promise<RunResult> {
      process.env.NAS_STUDIO_BACKEND = 'webgpu';
      try {
        const run = await runSearch({ data: { kind: 'path', path: data }, ...TINY_RUN, ...config }, { outDir: root, store: 'none' });
        return JSON.parse(readFileSync(path.join(run.runDir, 'result.json'), 'utf8')) as RunResult;
      } finally {
        delete process.env.NAS_STUDIO_BACKEND;
      }
    }

    function expectSane(result: RunResult): void {
      expect(result.backend).toBe('webgpu');
      expect(result.backendAdapter).toMatch(/SwiftShader/);
      expect(() => parseGenotype(result.genotype)).not.toThrow();
      for (const metrics of [result.metrics.test, result.metrics.validation!, result.baseline!.metrics.test]) {
        expect(Number.isFinite(metrics.loss)).toBe(true);
        expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
        expect(metrics.accuracy).toBeLessThanOrEqual(1);
      }
    }

    it('the default search (rank, race, retraining with batch-norm recalibration, baseline, evaluation) runs on webgpu', async () => {
      // Two entrants: one round of the race (a second round only follows three or more).
      const result = await runOnWebgpu({ candidates: 3, raceSize: 2, raceSamples: 8 });
      expect(result.strategy).toBe('rank-race');
      expectSane(result);
    }, 300_000);

    it('a GDAS search (supernet steps, alpha read-outs, a checkpoint per epoch) runs on webgpu', async () => {
      const result = await runOnWebgpu({ strategy: 'gdas', epochs: 2 });
      expect(result.genotypeHistory).toHaveLength(2);
      expectSane(result);
    }, 300_000);
  });
});
