import { createRequire } from 'node:module';
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
    // This machine: neither tfjs-node package could be installed.
    expect(report.name).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(native).toEqual({ name: 'tensorflow', loaded: false, why: expect.stringMatching(/not installed.*@tensorflow\/tfjs-node/) });
    expect(report.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
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
