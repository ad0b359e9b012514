import os from 'node:os';
import si from 'systeminformation';
import { probeCuda } from './cuda-probe.js';
import type { CpuInfo, GpuInfo, HardwareInfo, MemoryInfo, OsInfo, SimdFeature } from './hardware.types.js';

/** systeminformation runs its own subprocesses (lspci, …); bound each query so detection never hangs. */
const SI_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), SI_TIMEOUT_MS);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/** Normalises flag spellings across OSes: Linux "sse4_2", macOS "SSE4.2", Windows "sse4.2". */
function normaliseFlags(flags: string): Set<string> {
  return new Set(
    flags
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((flag) => flag.replace(/\./g, '_')),
  );
}

/** SIMD features that matter to XNNPACK and TensorFlow kernels, in a fixed order. */
export function simdFromFlags(flags: string, arch: string): { simd: SimdFeature[]; avx512Flags: string[] } {
  const set = normaliseFlags(flags);
  const avx512Flags = [...set].filter((flag) => flag.startsWith('avx512')).sort();
  const simd: SimdFeature[] = [];
  if (set.has('sse4_2')) simd.push('sse4.2');
  // macOS spells AVX as "AVX1.0".
  if (set.has('avx') || set.has('avx1_0')) simd.push('avx');
  if (set.has('avx2')) simd.push('avx2');
  if (set.has('fma')) simd.push('fma');
  if (avx512Flags.length > 0) simd.push('avx512');
  // AArch64 always has Advanced SIMD; Linux reports it as "asimd", 32-bit ARM as "neon".
  if (arch === 'arm64' || set.has('asimd') || set.has('neon')) simd.push('neon');
  return { simd, avx512Flags };
}

async function detectCpu(): Promise<CpuInfo> {
  const fallbackCpus = os.cpus();
  const [cpu, flags] = await Promise.all([
    withTimeout(si.cpu(), null),
    withTimeout(si.cpuFlags(), ''),
  ]);
  const logicalThreads = cpu?.cores || fallbackCpus.length || 1;
  const physicalCores = cpu?.physicalCores || logicalThreads;
  // VMs often report 0 GHz; os.cpus() then gives MHz or 0 as well.
  const speedGHz = cpu?.speed ? cpu.speed : fallbackCpus[0]?.speed ? fallbackCpus[0].speed / 1000 : null;
  return {
    manufacturer: cpu?.manufacturer || 'unknown',
    brand: cpu?.brand || fallbackCpus[0]?.model || 'unknown',
    physicalCores,
    logicalThreads,
    speedGHz,
    ...simdFromFlags(flags || cpu?.flags || '', process.arch),
  };
}

async function detectMemory(): Promise<MemoryInfo> {
  const mem = await withTimeout(si.mem(), null);
  return {
    totalBytes: mem?.total || os.totalmem(),
    // "available" counts reclaimable cache; "free" alone understates what a run can use.
    availableBytes: mem?.available || os.freemem(),
  };
}

async function detectGpus(): Promise<GpuInfo[]> {
  const graphics = await withTimeout(si.graphics(), { controllers: [], displays: [] });
  return graphics.controllers.map((controller) => ({
    vendor: controller.vendor || 'unknown',
    model: controller.model || controller.name || 'unknown',
    vramMiB: typeof controller.vram === 'number' && controller.vram > 0 ? controller.vram : null,
    driverVersion: controller.driverVersion || null,
  }));
}

async function detectOs(): Promise<OsInfo> {
  const info = await withTimeout(si.osInfo(), null);
  return {
    platform: info?.platform || process.platform,
    distro: info?.distro || os.type(),
    release: info?.release || os.release(),
    arch: info?.arch || process.arch,
  };
}

/** Detects CPU, memory, GPUs, CUDA and OS; every query is bounded, so this returns within a few seconds. */
export async function detectHardware(): Promise<HardwareInfo> {
  const [cpu, memory, gpus, cuda, osInfo] = await Promise.all([detectCpu(), detectMemory(), detectGpus(), probeCuda(), detectOs()]);
  return { cpu, memory, gpus, cuda, os: osInfo, nodeVersion: process.version, detectedAt: new Date().toISOString() };
}
