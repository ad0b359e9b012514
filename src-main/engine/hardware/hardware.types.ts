import type { BackendReport } from '../backend/backend.types.js';

/** The tfjs backend in use and why each better one did not load (owned by engine/backend). */
export type { BackendReport };

/**
 * What NAS Studio knows about the machine it runs on. Plain data (JSON-safe), so profiles can be saved,
 * compared across runs and sent to the renderer through the contract.
 */

export type SimdFeature = 'sse4.2' | 'avx' | 'avx2' | 'fma' | 'avx512' | 'neon';

export interface CpuInfo {
  manufacturer: string;
  brand: string;
  /** Physical cores. */
  physicalCores: number;
  /** Logical threads (hyper-threads included). */
  logicalThreads: number;
  /** Base clock in GHz; null when the OS does not tell (common in VMs). */
  speedGHz: number | null;
  /** SIMD features present, in a fixed order. */
  simd: SimdFeature[];
  /** Every avx512* flag the CPU reports, e.g. avx512f, avx512bw, avx512_vnni. */
  avx512Flags: string[];
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface GpuInfo {
  vendor: string;
  model: string;
  /** Dedicated memory in MiB; null when unknown. */
  vramMiB: number | null;
  driverVersion: string | null;
}

/** One fact found while checking CUDA, and how it was found. */
export interface CudaCheck {
  found: boolean;
  detail: string;
}

export interface CudaInfo {
  /** True only when nvidia-smi lists a GPU and a CUDA runtime library loads. */
  usable: boolean;
  /** usable, and the runtime tfjs-node-gpu was built against (CUDA 11) is among the loaded ones. */
  tfjsCompatible: boolean;
  nvidiaSmi: CudaCheck & { gpus: string[]; driverVersion: string | null };
  /** Every CUDA runtime library name the dynamic loader opened. */
  cudaRuntime: CudaCheck & { libraries: string[] };
  /** One sentence saying why CUDA is (not) usable. */
  reason: string;
}

export interface OsInfo {
  platform: string;
  distro: string;
  release: string;
  arch: string;
}

export interface HardwareInfo {
  cpu: CpuInfo;
  memory: MemoryInfo;
  gpus: GpuInfo[];
  cuda: CudaInfo;
  os: OsInfo;
  nodeVersion: string;
  detectedAt: string;
}

export type BenchUnit = 'GFLOP/s' | 'GB/s';

/** One micro-benchmark: a median over timed repeats after warm-up. */
export interface BenchMeasure {
  /** Stable key used to compare profiles, e.g. "matmul_512". */
  id: string;
  label: string;
  /** Shape description, e.g. "512x512 @ 512x512". */
  shape: string;
  value: number;
  unit: BenchUnit;
  medianMs: number;
  repeats: number;
  /** Work per repeat: FLOPs for compute, bytes moved for bandwidth. */
  workPerRepeat: number;
}

export interface MicroBenchResult {
  backend: string;
  measures: BenchMeasure[];
  totalMs: number;
  startedAt: string;
}

export interface MachineProfile {
  schemaVersion: 1;
  /** Stable hash of CPU brand, cores, total memory and OS: the same machine gets the same id. */
  machineId: string;
  createdAt: string;
  hardware: HardwareInfo;
  backend: BackendReport;
  /** Absent when the profile was built without benchmarks (--no-bench). */
  bench?: MicroBenchResult;
  /** Plain-language description for a non-engineer. */
  summary: string;
}
