import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ENV = 'NAS_STUDIO_BACKEND';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** A fresh copy of the module: selectBackend memoises per process. */
async function freshModule() {
  vi.resetModules();
  return import('../../../src-main/engine/backend/select-backend.js');
}

describe('selectBackend', () => {
  afterEach(() => {
    delete process.env[ENV];
  });

  it('explains in plain words why native TensorFlow did not load, and picks the next backend', async () => {
    const { selectBackend, currentBackendName } = await freshModule();
    expect(currentBackendName()).toBeUndefined();
    const report = await selectBackend();
    expect(currentBackendName()).toBe(report.name);
    expect(tf.getBackend()).toBe(report.name === 'tensorflow-gpu' ? 'tensorflow' : report.name);
    const native = report.tried.find((t) => t.name === 'tensorflow');
    if (installed('@tensorflow/tfjs-node')) {
      expect(native?.loaded).toBe(true);
      return;
    }
    const webgpu = report.tried.find((t) => t.name === 'webgpu');
    // A machine with a real GPU and its Vulkan/Metal/D3D12 driver starts webgpu first when nothing is timed.
    if (webgpu?.loaded && report.name === 'webgpu') return;
    // This machine: neither tfjs-node package could be installed, and no GPU driver for WebGPU.
    expect(report.name).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(native).toEqual({ name: 'tensorflow', loaded: false, why: expect.stringMatching(/not installed.*@tensorflow\/tfjs-node/) });
    expect(report.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
    expect(report.chosenBy).toBe('first');
    expect(report.tried.at(-1)?.loaded).toBe(true);
    // The same promise every time.
    expect(await selectBackend()).toBe(report);
  });

  it('honours NAS_STUDIO_BACKEND=cpu and tries nothing else', async () => {
    process.env[ENV] = 'cpu';
    const { selectBackend } = await freshModule();
    const report = await selectBackend();
    expect(report.name).toBe('cpu');
    expect(report.tried).toEqual([{ name: 'cpu', loaded: true, why: expect.stringContaining('JavaScript') }]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown NAS_STUDIO_BACKEND with a message naming the choices', async () => {
    process.env[ENV] = 'cuda';
    const { selectBackend } = await freshModule();
    await expect(selectBackend()).rejects.toThrow(/NAS_STUDIO_BACKEND=cuda.*wasm, cpu/);
  });

  it('puts a preferred backend first', async () => {
    const { selectBackend } = await freshModule();
    const report = await selectBackend({ prefer: 'cpu' });
    expect(report.name).toBe('cpu');
    expect(report.tried).toHaveLength(1);
  });
});

/** A small real training step (a dense layer fitted by gradient descent), counting how often it is built. */
function countingWorkload(key: string) {
  const counts = { prepared: 0, steps: 0 };
  return {
    counts,
    workload: {
      key,
      prepare: () => {
        counts.prepared++;
        const w = tf.variable(tf.randomNormal([64, 16], 0, 0.1, 'float32', 1));
        const x = tf.randomNormal([32, 64], 0, 1, 'float32', 2);
        return {
          step: () => {
            counts.steps++;
            const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, [w]);
            w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01)));
            value.dataSync();
            tf.dispose([value, grads[w.name]]);
          },
          dispose: () => tf.dispose([w, x]),
        };
      },
    },
  };
}

describe('selectBackend with a workload', () => {
  afterEach(() => {
    delete process.env[ENV];
  });

  it('times the workload on the backends that start, keeps the fastest, and reuses the choice from the cache', async () => {
    const cacheFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'backend-choice-')), 'backend-choices.json');
    const first = countingWorkload('dense 64x16 · batch 32');
    const { selectBackend } = await freshModule();
    const report = await selectBackend({ workload: first.workload, cacheFile });
    const timed = report.tried.filter((t) => t.timing === 'measured');
    expect(timed.length).toBeGreaterThanOrEqual(1);
    expect(report.chosenBy).toBe('timed');
    expect(report.workload).toBe('dense 64x16 · batch 32');
    // The fastest measured backend is the one in use.
    const fastest = [...timed].sort((a, b) => a.stepMs! - b.stepMs!)[0];
    expect(report.name).toBe(fastest.name);
    expect(tf.getBackend()).toBe(report.name);
    // cpu comes after wasm and is not timed once another backend was.
    const cpu = report.tried.find((t) => t.name === 'cpu');
    if (timed.some((t) => t.name === 'wasm')) expect(cpu?.why).toMatch(/Not timed/);
    expect(first.counts.steps).toBeGreaterThanOrEqual(2 * timed.length); // a warm-up and at least one timed step each
    expect(existsSync(cacheFile)).toBe(true);
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, { backend: string; stepMs: Record<string, number> }> };
    const entry = Object.values(saved.entries)[0];
    expect(entry.backend).toBe(report.name);
    expect(entry.stepMs[report.name]).toBeCloseTo(fastest.stepMs!, 6);

    // A new process (fresh module) with the same machine, backends and workload: no timing, the cached choice.
    const second = countingWorkload('dense 64x16 · batch 32');
    const again = await (await freshModule()).selectBackend({ workload: second.workload, cacheFile });
    expect(second.counts.prepared).toBe(0);
    expect(again.chosenBy).toBe('cached');
    expect(again.name).toBe(report.name);
    expect(again.tried.find((t) => t.name === report.name)).toMatchObject({ stepMs: fastest.stepMs, timing: 'cached' });

    // Another model shape is timed afresh.
    const third = countingWorkload('dense 64x16 · batch 64');
    await (await freshModule()).selectBackend({ workload: third.workload, cacheFile });
    expect(third.counts.prepared).toBeGreaterThanOrEqual(1);
  });

  it('a forced backend wins even when a survey times the others', async () => {
    process.env[ENV] = 'cpu';
    const cacheFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'backend-choice-')), 'backend-choices.json');
    const { workload } = countingWorkload('dense survey');
    const report = await (await freshModule()).selectBackend({ workload, survey: true, cacheFile, cache: 'off' });
    expect(report.name).toBe('cpu');
    expect(report.chosenBy).toBe('forced');
    expect(report.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(report.tried.find((t) => t.name === 'cpu')?.stepMs).toBeGreaterThan(0);
    expect(existsSync(cacheFile)).toBe(false);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('NAS_STUDIO_BACKEND=auto lets NAS Studio choose', async () => {
    process.env[ENV] = 'auto';
    const { forcedBackend } = await freshModule();
    expect(forcedBackend()).toBeUndefined();
    expect(forcedBackend({ NAS_STUDIO_BACKEND: 'WebGPU' })).toBe('webgpu');
    expect(() => forcedBackend({ NAS_STUDIO_BACKEND: 'tensorflow-gpu2' })).toThrow(/auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });
});
