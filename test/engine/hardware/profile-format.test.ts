import { describe, expect, it } from 'vitest';
import type { MachineProfile } from '../../../src-main/engine/hardware/hardware.types.js';
import { formatComparisonText, formatProfileText } from '../../../src-main/engine/hardware/profile-format.js';

const profile: MachineProfile = {
  schemaVersion: 1,
  machineId: 'd9c996d821164435',
  createdAt: '2026-11-22T10:00:00.000Z',
  hardware: {
    cpu: { manufacturer: 'Intel', brand: 'Xeon® Processor', physicalCores: 2, logicalThreads: 4, speedGHz: 2.5, simd: ['sse4.2', 'avx512'], avx512Flags: ['avx512f', 'avx512bw'] },
    memory: { totalBytes: 16 * 1024 ** 3, availableBytes: 12 * 1024 ** 3 },
    gpus: [{ vendor: 'Matrox', model: 'G200', vramMiB: 16, driverVersion: null }],
    cuda: {
      usable: false,
      tfjsCompatible: false,
      nvidiaSmi: { found: false, detail: 'x', gpus: [], driverVersion: null },
      cudaRuntime: { found: false, detail: 'x', libraries: [] },
      reason: 'No NVIDIA GPU with a working driver.',
    },
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'x64' },
    nodeVersion: 'v20.20.2',
    detectedAt: '2026-11-22T10:00:00.000Z',
  },
  backend: {
    name: 'wasm',
    simd: true,
    threads: 1,
    tried: [
      { name: 'tensorflow', loaded: false, why: 'not installed' },
      { name: 'wasm', loaded: true, why: 'Using WebAssembly.' },
    ],
  },
  bench: {
    backend: 'wasm',
    startedAt: '2026-11-22T10:00:00.000Z',
    totalMs: 8200,
    measures: [{ id: 'matmul_512', label: 'Matrix multiply', shape: '512x512 @ 512x512', value: 12.345, unit: 'GFLOP/s', medianMs: 21.7, repeats: 30, workPerRepeat: 2 * 512 ** 3 }],
  },
  summary: 'This computer trains on the processor with WebAssembly.',
};

describe('formatProfileText', () => {
  it('prints the summary, the facts, every backend tried and every benchmark', () => {
    const text = formatProfileText(profile);
    expect(text).toContain('machine d9c996d821164435');
    expect(text).toContain('This computer trains on the processor with WebAssembly.');
    expect(text).toMatch(/Processor\s+Intel Xeon® Processor — 2 cores, 4 threads, 2.5 GHz/);
    expect(text).toMatch(/AVX-512 flags\s+avx512f avx512bw/);
    expect(text).toMatch(/Memory\s+16.0 GB total, 12.0 GB available/);
    expect(text).toMatch(/Graphics\s+Matrox G200, 16 MiB/);
    expect(text).toMatch(/Backend\s+wasm \(SIMD on, 1 thread\)/);
    expect(text).toMatch(/tensorflow\s+no\s+—\s+—\s+not installed/);
    expect(text).toMatch(/Matrix multiply\s+512x512 @ 512x512\s+12.3 GFLOP\/s\s+21.70 ms\s+30/);
  });

  it('says so when the benchmarks were skipped', () => {
    const { bench: _bench, ...withoutBench } = profile;
    expect(formatProfileText(withoutBench)).toContain('not run (--no-bench)');
  });
});

describe('formatComparisonText', () => {
  it('prints before, now and the ratio per benchmark', () => {
    const text = formatComparisonText(
      { sameMachine: true, sameBackend: false, metrics: [{ id: 'matmul_512', label: 'm', unit: 'GFLOP/s', before: 10, after: 15, ratio: 1.5 }], onlyInA: [], onlyInB: [] },
      '2026-11-20',
    );
    expect(text).toContain('profile of 2026-11-20 (a different backend)');
    expect(text).toMatch(/matmul_512\s+10.0 GFLOP\/s\s+15.0 GFLOP\/s\s+1.50x/);
  });
});
