import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TargetIdSchema } from '../../../src-main/contract/targets.js';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { buildExportGraph } from '../../../src-main/engine/export/export-graph.js';
import { findPythonRuntimes, runTfliteInPython } from '../../../src-main/engine/export/python-tflite.js';
import { exportTflite, quantizeInput } from '../../../src-main/engine/export/tflite.export.js';
import { sampleGenotype } from '../../../src-main/engine/space/sample-genotype.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import { deviceCost, fitOnTarget } from '../../../src-main/engine/targets/device-cost.js';
import { getTarget, TARGETS, type TargetSpec } from '../../../src-main/engine/targets/targets.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input 8×8×1 → conv 3×3, 4 filters, ReLU → global average pool → dense 2: every figure can be worked by hand. */
function tinyNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

describe('deviceCost', () => {
  it('arena = 1.25 × peak int8 activations + 275 B an op + 6 B a channel + 1 KiB; flash = int8 kernels + int32 biases + 10 B a channel + 160 B an op + 2 KiB; MACs per layer', () => {
    const model = tinyNet();
    const graph = buildExportGraph(model);
    expect(graph.ops.map((o) => o.kind)).toEqual(['conv2d', 'globalAvgPool', 'dense']);
    const cost = deviceCost(graph);
    // Peak: the 64-byte input and the 256-byte conv output are live together; 4 + 2 output channels.
    expect(cost.arenaBytes).toBe(1.25 * (64 + 256) + 3 * 275 + 6 * (4 + 2) + 1024);
    // conv: 36 int8 weights + 4 int32 biases; dense: 8 int8 weights + 2 int32 biases.
    expect(cost.flashBytes).toBe(36 + 16 + 8 + 8 + 10 * (4 + 2) + 3 * 160 + 2048);
    expect(cost.macs).toBe(8 * 8 * 4 * 9 + 4 * 2);
    expect(cost.ops).toBe(3);
    model.dispose();
  });

  it('flash is never below, and at most 30 % above, what our int8 TFLite writer produces for searched cells (DARTS, NB201, chain)', async () => {
    const cases = [
      { space: 'darts', nodes: 4, channels: 8, cells: 5, side: 28, stemStride: 2 as const },
      { space: 'nb201', nodes: 4, channels: 8, cells: 3, side: 16, stemStride: 1 as const },
      { space: 'darts', nodes: 2, channels: 4, cells: 3, side: 8, stemStride: 1 as const },
      { space: 'chain', nodes: 4, channels: 16, cells: 6, side: 28, stemStride: 2 as const },
    ] as const;
    for (const c of cases) {
      const rng = new Rng(5);
      const task = classificationTask([c.side, c.side, 1], 10);
      const genotype = sampleGenotype(getSpace(c.space, { nodes: c.nodes, blocks: c.cells }), rng);
      const model = buildDerivedModel(genotype, task, { channels: c.channels, cells: c.cells, nodes: c.nodes, stemMultiplier: 3, stemStride: c.stemStride, reductions: true, seed: 1 });
      const graph = buildExportGraph(model);
      const calibration = tf.randomUniform([8, c.side, c.side, 1], 0, 1, 'float32', 3);
      const written = (await exportTflite(model, { graph, quantize: 'int8', calibration })).bytes.length;
      const estimate = deviceCost(graph).flashBytes;
      expect(estimate, `${c.space} C=${c.channels}`).toBeGreaterThanOrEqual(written);
      expect(estimate, `${c.space} C=${c.channels}`).toBeLessThanOrEqual(1.3 * written);
      calibration.dispose();
      model.dispose();
    }
  });
});

const runtimes = findPythonRuntimes();
const tflm = !('missing' in runtimes) && runtimes.tflm;

describe('the arena estimate in TFLite Micro', () => {
  it.skipIf(!tflm)('is enough for TFLite Micro to run searched cells, and not a third more than they need', async () => {
    const cases = [
      { space: 'darts', nodes: 4, channels: 8, cells: 5, side: 28, stemStride: 2 as const },
      { space: 'nb201', nodes: 4, channels: 16, cells: 5, side: 28, stemStride: 1 as const },
      { space: 'chain', nodes: 4, channels: 32, cells: 6, side: 28, stemStride: 2 as const },
    ] as const;
    for (const c of cases) {
      const task = classificationTask([c.side, c.side, 1], 10);
      const genotype = sampleGenotype(getSpace(c.space, { nodes: c.nodes, blocks: c.cells }), new Rng(5));
      const model = buildDerivedModel(genotype, task, { channels: c.channels, cells: c.cells, nodes: c.nodes, stemMultiplier: 3, stemStride: c.stemStride, reductions: true, seed: 1 });
      const graph = buildExportGraph(model);
      const calibration = tf.randomUniform([8, c.side, c.side, 1], 0, 1, 'float32', 3);
      const int8 = await exportTflite(model, { graph, quantize: 'int8', calibration });
      const samples = quantizeInput(calibration.slice([0], [1]).dataSync(), int8.io!.input);
      const estimate = deviceCost(graph).arenaBytes;
      const run = (arenaBytes: number) => runTfliteInPython({ runtime: 'tflm', bytes: int8.bytes, inputShape: [c.side, c.side, 1], samples, arenaBytes });
      await expect(run(estimate), `${c.space} in ${estimate} B`).resolves.toMatchObject({ arenaBytes: estimate });
      await expect(run(Math.floor(estimate / 1.35 / 16) * 16), `${c.space} in ${estimate} / 1.35 B`).rejects.toThrow(/could not run the model in an arena/);
      calibration.dispose();
      model.dispose();
    }
  });
});

describe('fitOnTarget', () => {
  const cost = { arenaBytes: 200 * 1024, flashBytes: 900 * 1024, macs: 2_000_000, ops: 100 };
  it('fits when both figures are within the limits; latency = MACs × cycles per MAC / clock', () => {
    const m4 = getTarget('cortex-m4');
    const fit = fitOnTarget(cost, m4);
    expect(fit.fits).toBe(true);
    expect(fit.latencyMsEstimate).toBeCloseTo((2_000_000 * 9.6) / 80_000, 9);
    expect(fitOnTarget({ ...cost, arenaBytes: 256 * 1024 + 1 }, m4).fits).toBe(false);
    expect(fitOnTarget({ ...cost, flashBytes: 1024 * 1024 + 1 }, m4).fits).toBe(false);
  });

  it('host has no limits and no estimate (its latency is measured); the Pi has an estimate and no memory limit', () => {
    const huge = { ...cost, arenaBytes: 1e12, flashBytes: 1e12 };
    expect(fitOnTarget(huge, getTarget('host'))).toMatchObject({ fits: true, latencyMsEstimate: null });
    const pi = fitOnTarget(huge, getTarget('rpi4'));
    expect(pi.fits).toBe(true);
    expect(pi.latencyMsEstimate).toBeCloseTo((2_000_000 * 0.36) / 1_500_000, 9);
  });

  it('every target of the contract has figures and a source; the microcontrollers have all four', () => {
    for (const id of TargetIdSchema.options) {
      const t: TargetSpec = TARGETS[id];
      expect(t.id).toBe(id);
      expect(t.source.length).toBeGreaterThan(20);
    }
    for (const id of ['cortex-m4', 'cortex-m7', 'esp32-s3'] as const) {
      const t = TARGETS[id];
      expect([t.sramBytes, t.flashBytes, t.clockMHz, t.cyclesPerMac].every((v) => typeof v === 'number' && v > 0)).toBe(true);
    }
    expect(TARGETS['cortex-m4']).toMatchObject({ sramBytes: 262_144, flashBytes: 1_048_576, clockMHz: 80 });
  });
});
