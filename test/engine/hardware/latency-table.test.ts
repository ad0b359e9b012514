import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { buildDerivedModel } from '../../../src-main/engine/derive/build-derived-model.js';
import { allPositions, architectureQuery, latencyKeyString, layoutKeys, networkLayout } from '../../../src-main/engine/hardware/latency-layout.js';
import { buildFixedPartModel, buildOpModel } from '../../../src-main/engine/hardware/latency-ops.js';
import { latencyLookupFromTable, predictLatency } from '../../../src-main/engine/hardware/latency-predict.js';
import { kernelFingerprint, loadLatencyTable } from '../../../src-main/engine/hardware/latency-store.js';
import { ensureLatencyTable, type EnsuredTable } from '../../../src-main/engine/hardware/latency-table.js';
import type { LatencyTable } from '../../../src-main/engine/hardware/latency-table.types.js';
import { measureModelLatency, predictArchitectureLatency, randomGenotype } from '../../../src-main/engine/search/latency.js';
import type { MacroOptions } from '../../../src-main/engine/space/macro.js';
import { getSpace } from '../../../src-main/engine/space/spaces.js';
import type { SpaceName } from '../../../src-main/engine/space/space.types.js';
import { Supernet } from '../../../src-main/engine/supernet/supernet.js';
import { classificationTask } from '../../../src-main/engine/tasks/classification.task.js';
import { denoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

// A tiny configuration: 8×8 images, 3 cells of 2 nodes, 4 channels, four primitives.
const task = classificationTask([8, 8, 1], 3);
const macro: MacroOptions = { channels: 4, cells: 3, nodes: 2, stemMultiplier: 3, stemStride: 1, reductions: true };
const PRIMITIVES = ['none', 'skip_connect', 'max_pool_3x3', 'sep_conv_3x3'];
const MACHINE = 'test-machine';

let dir: string;
let file: string;
let first: EnsuredTable;
let tensorsBefore: number;

function ensure(extra: { refresh?: boolean } = {}) {
  return ensureLatencyTable({ space: 'darts', task, macro, primitives: PRIMITIVES, repeats: 15, calibrate: 1, machineId: MACHINE, backend: 'wasm', file, ...extra });
}

beforeAll(async () => {
  await selectBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'latency-table-'));
  file = path.join(dir, 'latency', MACHINE, 'wasm', 'darts.json');
  tensorsBefore = tf.memory().numTensors;
  first = await ensure();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latency table', () => {
  it('measures every primitive at every position, the glue, stem and head, and leaks no tensors', () => {
    const { table, layout, measured } = first;
    expect(measured).toBeGreaterThan(0);
    for (const p of allPositions(layout)) {
      for (const op of PRIMITIVES) {
        const entry = table.entries[latencyKeyString({ space: 'darts', op, inputShape: p.inputShape, stride: p.stride, cOut: p.cOut })];
        expect(entry, `${op} at ${p.inputShape.join('x')} s${p.stride}`).toBeDefined();
        expect(entry.medianMs).toBeGreaterThanOrEqual(0);
      }
    }
    const ops = new Set(Object.values(table.entries).map((e) => e.key.op));
    for (const glue of ['@rcb1x1', '@fr', '@add2', '@concat2']) expect(ops).toContain(glue);
    expect(table.fixedParts.map((f) => f.part).sort()).toEqual(['head', 'stem']);
    expect(table.modelOverheadMs).toBeGreaterThan(0);
    // Free by construction: stored as 0, not missing.
    const free = Object.values(table.entries).filter((e) => e.key.op === 'none' || (e.key.op === 'skip_connect' && e.key.stride === 1));
    expect(free.length).toBeGreaterThan(0);
    expect(free.every((e) => e.medianMs === 0 && e.repeats === 0)).toBe(true);
    const sep = Object.values(table.entries).filter((e) => e.key.op === 'sep_conv_3x3');
    expect(sep.every((e) => e.medianMs > 0 && (e.params ?? 0) > 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('caches to the file and reloads it without measuring again', async () => {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as LatencyTable;
    expect(Object.keys(saved.entries).sort()).toEqual(Object.keys(first.table.entries).sort());
    const second = await ensure();
    expect(second.measured).toBe(0);
    expect(second.fromCache).toBe(Object.keys(first.table.entries).length + 2);
    expect(second.table.entries).toEqual(first.table.entries);
  });

  it('measures only the keys a wider configuration adds, and merges them in', async () => {
    const wider = await ensureLatencyTable({ space: 'darts', task, macro: { ...macro, channels: 6 }, primitives: PRIMITIVES, repeats: 15, calibrate: 0, machineId: MACHINE, backend: 'wasm', file });
    expect(wider.measured).toBeGreaterThan(0);
    const reloaded = loadLatencyTable(file, { machineId: MACHINE, backend: 'wasm', space: 'darts' });
    for (const key of Object.keys(first.table.entries)) expect(reloaded?.entries[key as keyof LatencyTable['entries']]).toBeDefined();
    expect(Object.keys(reloaded?.entries ?? {}).length).toBeGreaterThan(Object.keys(first.table.entries).length);
  });

  it('treats a table of another tfjs version as stale and a non-table as an error naming the file', () => {
    const stale = path.join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...first.table, tfjsVersion: '0.0.1' }));
    expect(loadLatencyTable(stale, { machineId: MACHINE, backend: 'wasm', space: 'darts' })).toBeUndefined();
    // Another kernel set (the engine's wasm kernels changed) or another timing method: stale too.
    const kernels = kernelFingerprint('wasm');
    expect(first.table.kernels).toBe(kernels);
    const expectHere = { machineId: MACHINE, backend: 'wasm', space: 'darts' as const, kernels };
    writeFileSync(stale, JSON.stringify(first.table));
    expect(loadLatencyTable(stale, expectHere)).toBeDefined();
    writeFileSync(stale, JSON.stringify({ ...first.table, kernels: 'another-kernel-set' }));
    expect(loadLatencyTable(stale, expectHere)).toBeUndefined();
    writeFileSync(stale, JSON.stringify({ ...first.table, timing: 'cold-fixed-order' }));
    expect(loadLatencyTable(stale, expectHere)).toBeUndefined();
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...first.table, entries: { x: { medianMs: 'fast' } } }));
    expect(() => loadLatencyTable(broken, { machineId: MACHINE, backend: 'wasm', space: 'darts' })).toThrow(broken);
    writeFileSync(broken, '{ not json');
    expect(() => loadLatencyTable(broken, { machineId: MACHINE, backend: 'wasm', space: 'darts' })).toThrow(/broken\.json: the latency table is not valid JSON/);
  });
});

describe('kernel fingerprint', () => {
  it('changes when a kernel of the backend is replaced, and is back when it is restored', () => {
    const before = kernelFingerprint('wasm');
    expect(kernelFingerprint('wasm')).toBe(before);
    const original = tf.getKernel('Relu', 'wasm');
    expect(original).toBeDefined();
    if (!original) return;
    tf.unregisterKernel('Relu', 'wasm');
    try {
      tf.registerKernel({ ...original, kernelFunc: (a) => original.kernelFunc(a) });
      expect(kernelFingerprint('wasm')).not.toBe(before);
    } finally {
      tf.unregisterKernel('Relu', 'wasm');
      tf.registerKernel(original);
    }
    expect(kernelFingerprint('wasm')).toBe(before);
  });
});

describe('predicted latency', () => {
  it('is overhead + stem + head + the sum of the kept ops and glue', () => {
    const { table, layout } = first;
    const g = randomGenotype('darts', new Rng(3), { nodes: 2, primitives: PRIMITIVES });
    const query = architectureQuery(layout, g, task);
    const p = predictLatency(table, query);
    expect(p.missing).toEqual([]);
    const opsMs = query.ops.reduce((s, k) => s + table.entries[latencyKeyString(k)].medianMs, 0);
    expect(p.opsMs).toBeCloseTo(opsMs, 9);
    expect(p.totalMs).toBeCloseTo(table.modelOverheadMs + p.stemMs + p.headMs + opsMs, 9);
    expect(p.totalMs).toBeGreaterThan(0);
    expect(p.stemMs).toBeGreaterThan(0);
    expect(p.headMs).toBeGreaterThan(0);
    // 3 cells × (2 nodes × 2 ops + 2 sums + concat + up to 2 preprocessings).
    expect(query.ops.length).toBeGreaterThanOrEqual(3 * 7);
  });

  it('counts the parameters of the derived model', () => {
    const g = randomGenotype('darts', new Rng(5), { nodes: 2, primitives: PRIMITIVES });
    const model = buildDerivedModel(g, task, macro);
    const p = predictArchitectureLatency(g, macro, task, first.table);
    expect(p.params).toBe(model.trainableWeights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0));
    model.dispose();
  });

  it('reports keys the table lacks instead of counting them as 0', () => {
    const g = { format: 'darts' as const, normal: { ops: [['sep_conv_5x5', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['sep_conv_3x3', 2]] as [string, number][], concat: [2, 3] } };
    const p = predictArchitectureLatency({ ...g, reduce: g.normal }, macro, task, first.table);
    expect(p.missing.length).toBeGreaterThan(0);
    expect(p.missing.every((k) => k.op === 'sep_conv_5x5')).toBe(true);
  });

  it('measures a whole model end to end', async () => {
    const model = buildDerivedModel(randomGenotype('darts', new Rng(8), { nodes: 2, primitives: PRIMITIVES }), task, macro);
    const ms = await measureModelLatency(model, { repeats: 15, warmup: 2 });
    model.dispose();
    expect(ms).toBeGreaterThan(0);
  });
});

describe('layout and FBNet lookup', () => {
  it.each([
    ['darts', { nodes: 2 }],
    ['chain', { blocks: 6 }],
    ['nb201', {}],
  ] as [SpaceName, { nodes?: number; blocks?: number }][])('the %s layout has exactly the supernet edge instances', (space, opts) => {
    const m = { ...macro, nodes: opts.nodes ?? macro.nodes, cells: space === 'nb201' ? 3 : macro.cells };
    const supernet = new Supernet({ space: getSpace(space, opts), task, channels: m.channels, cells: m.cells, stemStride: 1, seed: 1 });
    const layout = networkLayout({ space, task, macro: m, blocks: opts.blocks });
    const fromSupernet = supernet.edgeInstances().map((e) => `${e.cellIndex}|${e.edge}|${e.height}x${e.width}x${e.cIn}|s${e.stride}|${e.cOut}`);
    const fromLayout = allPositions(layout).map((p) => `${p.cellIndex}|${p.edge}|${p.inputShape.join('x')}|s${p.stride}|${p.cOut}`);
    supernet.dispose();
    expect(fromLayout).toEqual(fromSupernet);
  });

  it('maps every primitive of every edge instance to its entry, and names a missing key', () => {
    const supernet = new Supernet({ space: getSpace('darts', { nodes: 2 }), task, channels: macro.channels, cells: macro.cells, stemStride: 1, seed: 1 });
    const lookup = latencyLookupFromTable(first.table, first.layout);
    for (const edge of supernet.edgeInstances()) {
      for (const op of PRIMITIVES) {
        const entry = first.table.entries[latencyKeyString({ space: 'darts', op, inputShape: [edge.height, edge.width, edge.cIn], stride: edge.stride, cOut: edge.cOut })];
        expect(lookup(op, edge)).toBe(entry.medianMs);
      }
    }
    const edge = supernet.edgeInstances()[0];
    supernet.dispose();
    expect(() => lookup('dil_conv_5x5', edge)).toThrow(/darts\|dil_conv_5x5\|8x8x4\|s1\|4/);
  });
});

describe('denoisers are timed as they are built: without BatchNorm', () => {
  const bnLayers = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
  it('keys every op of a denoising layout "|nobn" and builds it BN-free; classifier keys keep BN', () => {
    const denoise = networkLayout({ space: 'darts', task: denoisingTask([8, 8, 1], { kind: 'gaussian', sigma: 25 }), macro: { ...macro, reductions: false } });
    const keys = layoutKeys(denoise, PRIMITIVES);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => latencyKeyString(k).endsWith('|nobn'))).toBe(true);
    const classify = layoutKeys(networkLayout({ space: 'darts', task, macro }), PRIMITIVES);
    expect(classify.some((k) => latencyKeyString(k).endsWith('|nobn'))).toBe(false);

    const sepKey = keys.find((k) => k.op === 'sep_conv_3x3')!;
    const plain = buildOpModel(sepKey);
    const normalised = buildOpModel({ ...sepKey, batchNorm: undefined });
    expect(bnLayers(plain.model)).toBe(0);
    expect(bnLayers(normalised.model)).toBe(2);
    const stem = buildFixedPartModel({ part: 'stem', space: 'darts', task: 'denoising', inputShape: [8, 8, 1], stride: 1, cOut: 4 });
    expect(bnLayers(stem.model)).toBe(0);
    for (const t of [plain, normalised, stem]) t.dispose();
  });
});
