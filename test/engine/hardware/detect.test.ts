import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectHardware, simdFromFlags } from '../../../src-main/engine/hardware/detect.js';

describe('simdFromFlags', () => {
  it('reads Linux flag spellings and lists every avx512 flag', () => {
    const { simd, avx512Flags } = simdFromFlags('fpu sse4_1 sse4_2 avx fma avx2 avx512f avx512bw avx512_vnni', 'x64');
    expect(simd).toEqual(['sse4.2', 'avx', 'avx2', 'fma', 'avx512']);
    expect(avx512Flags).toEqual(['avx512_vnni', 'avx512bw', 'avx512f']);
  });

  it('reads macOS-style upper-case dotted flags', () => {
    expect(simdFromFlags('SSE4.1 SSE4.2 AVX1.0 AVX2 FMA', 'x64').simd).toEqual(['sse4.2', 'avx', 'avx2', 'fma']);
  });

  it('reports NEON on arm64 and on "asimd" flags, and nothing x86 there', () => {
    expect(simdFromFlags('', 'arm64').simd).toEqual(['neon']);
    expect(simdFromFlags('fp asimd evtstrm aes', 'arm').simd).toEqual(['neon']);
  });

  it('reports no SIMD when there are no flags', () => {
    expect(simdFromFlags('', 'x64')).toEqual({ simd: [], avx512Flags: [] });
  });
});

describe('detectHardware on this machine', () => {
  it('returns sane CPU, memory, OS and CUDA fields', async () => {
    const hw = await detectHardware();
    expect(hw.cpu.physicalCores).toBeGreaterThanOrEqual(1);
    expect(hw.cpu.logicalThreads).toBeGreaterThanOrEqual(hw.cpu.physicalCores);
    expect(hw.cpu.brand.length).toBeGreaterThan(0);
    expect(hw.memory.totalBytes).toBeGreaterThan(0);
    expect(hw.memory.availableBytes).toBeGreaterThan(0);
    expect(hw.memory.availableBytes).toBeLessThanOrEqual(hw.memory.totalBytes);
    expect(hw.os.platform).toBe(process.platform);
    expect(hw.os.arch.length).toBeGreaterThan(0);
    expect(hw.nodeVersion).toBe(process.version);
    expect(Array.isArray(hw.gpus)).toBe(true);
    for (const gpu of hw.gpus) expect(gpu.model.length).toBeGreaterThan(0);
    expect(hw.cuda.usable).toBe(hw.cuda.nvidiaSmi.found && hw.cuda.cudaRuntime.found);
    expect(hw.cuda.reason.length).toBeGreaterThan(0);
    if (process.arch === 'x64') expect(hw.cpu.simd).toContain('sse4.2');
  });

  it.runIf(process.platform === 'linux' && !existsSync('/proc/driver/nvidia/version'))(
    'says CUDA is not usable on a machine without an NVIDIA driver',
    async () => {
      const hw = await detectHardware();
      expect(hw.cuda.usable).toBe(false);
      expect(hw.cuda.tfjsCompatible).toBe(false);
      expect(hw.cuda.nvidiaSmi.gpus).toEqual([]);
    },
  );
});
