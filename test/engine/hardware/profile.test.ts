import { describe, expect, it } from 'vitest';
import type { BackendReport, HardwareInfo, MicroBenchResult } from '../../../src-main/engine/hardware/hardware.types.js';
import { buildProfile, machineIdOf, summarise } from '../../../src-main/engine/hardware/profile.js';

function hardware(overrides: Partial<HardwareInfo> = {}): HardwareInfo {
  return {
    cpu: { manufacturer: 'Intel', brand: 'Xeon® Processor', physicalCores: 2, logicalThreads: 2, speedGHz: null, simd: ['sse4.2', 'avx', 'avx2', 'fma', 'avx512'], avx512Flags: ['avx512f'] },
    memory: { totalBytes: 24 * 1024 ** 3, availableBytes: 20 * 1024 ** 3 },
    gpus: [],
    cuda: {
      usable: false,
      tfjsCompatible: false,
      nvidiaSmi: { found: false, detail: 'nvidia-smi: not installed', gpus: [], driverVersion: null },
      cudaRuntime: { found: false, detail: 'none', libraries: [] },
      reason: 'No NVIDIA GPU with a working driver.',
    },
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'x64' },
    nodeVersion: 'v20.20.2',
    detectedAt: '2026-11-22T10:00:00.000Z',
    ...overrides,
  };
}

const wasmReport: BackendReport = {
  name: 'wasm',
  simd: true,
  threads: 1,
  tried: [
    { name: 'tensorflow-gpu', loaded: false, why: 'No NVIDIA graphics card with a CUDA driver was found.' },
    { name: 'tensorflow', loaded: false, why: "TensorFlow's native library is not installed." },
    { name: 'wasm', loaded: true, why: 'Using the portable WebAssembly engine.' },
  ],
};

describe('summarise', () => {
  it('names the backend in use, its SIMD and threads, and why a faster one did not load', () => {
    const text = summarise(hardware(), wasmReport);
    expect(text).toContain('no NVIDIA graphics card that NAS Studio can use');
    expect(text).toContain('WebAssembly (SIMD on, 1 thread per worker)');
    expect(text).toContain("TensorFlow's native library is not installed.");
    expect(text).toContain('2 cores, AVX-512');
  });

  it('describes the plain JavaScript backend as the slow one', () => {
    const text = summarise(hardware(), { name: 'cpu', tried: [{ name: 'cpu', loaded: true, why: 'ok' }] });
    expect(text).toContain('plain JavaScript');
  });

  it('says when an NVIDIA card is present but its CUDA does not fit tfjs-node-gpu', () => {
    const hw = hardware();
    hw.cuda = { ...hw.cuda, usable: true, tfjsCompatible: false };
    expect(summarise(hw, wasmReport)).toContain('not the CUDA version NAS Studio needs');
  });

  it('uses a supplied estimate, else the fastest convolution benchmark', () => {
    expect(summarise(hardware(), wasmReport, undefined, { seconds: 300, what: 'a quick search on MNIST' })).toContain(
      'Expect a quick search on MNIST to take about 5 minutes.',
    );
    const bench: MicroBenchResult = {
      backend: 'wasm',
      startedAt: '',
      totalMs: 1,
      measures: [
        { id: 'conv2d_a', label: 'c', shape: '', value: 4.2, unit: 'GFLOP/s', medianMs: 1, repeats: 3, workPerRepeat: 1 },
        { id: 'conv2d_b', label: 'c', shape: '', value: 12.5, unit: 'GFLOP/s', medianMs: 1, repeats: 3, workPerRepeat: 1 },
      ],
    };
    expect(summarise(hardware(), wasmReport, bench)).toContain('12.5 billion convolution operations per second');
  });
});

describe('machineIdOf', () => {
  it('is stable for the same hardware and ignores what changes between runs', () => {
    const a = hardware();
    const b = hardware({ detectedAt: '2030-01-01T00:00:00.000Z', memory: { totalBytes: a.memory.totalBytes + 4096, availableBytes: 1 } });
    expect(machineIdOf(a)).toBe(machineIdOf(b));
    expect(machineIdOf(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the CPU, the core count, the memory or the OS', () => {
    const base = machineIdOf(hardware());
    const ids = [
      machineIdOf(hardware({ cpu: { ...hardware().cpu, brand: 'Ryzen 7' } })),
      machineIdOf(hardware({ cpu: { ...hardware().cpu, physicalCores: 8, logicalThreads: 16 } })),
      machineIdOf(hardware({ memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 1 } })),
      machineIdOf(hardware({ os: { platform: 'win32', distro: 'Windows', release: '10.0.22631', arch: 'x64' } })),
    ];
    for (const id of ids) expect(id).not.toBe(base);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('buildProfile', () => {
  it('joins hardware, backend and benchmarks under the machine id, with a summary that mentions the backend', async () => {
    const hw = hardware();
    const profile = await buildProfile({ backend: wasmReport, hardware: hw, now: new Date('2026-11-22T10:00:00Z') });
    expect(profile.schemaVersion).toBe(1);
    expect(profile.machineId).toBe(machineIdOf(hw));
    expect(profile.createdAt).toBe('2026-11-22T10:00:00.000Z');
    expect(profile.backend.name).toBe('wasm');
    expect(profile.bench).toBeUndefined();
    expect(profile.summary).toContain('WebAssembly');
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it('detects the hardware itself when none is given', async () => {
    const profile = await buildProfile({ backend: { name: 'cpu', tried: [{ name: 'cpu', loaded: true, why: 'ok' }] } });
    expect(profile.hardware.cpu.physicalCores).toBeGreaterThanOrEqual(1);
    expect(profile.summary).toContain('plain JavaScript');
  });
});

describe('buildProfile input', () => {
  it('names the file and the expected argument when called without a backend report', async () => {
    await expect(buildProfile({} as never)).rejects.toThrow(/profile\.ts\) needs \{ backend: BackendReport \}/);
  });
});
