import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { detectHardware } from './detect.js';
import { GPU_BACKENDS } from '../backend/backend.types.js';
import type { BackendReport, HardwareInfo, MachineProfile, MicroBenchResult } from './hardware.types.js';

/** A run-time estimate supplied by whoever knows the preset (search:estimate), e.g. a quick MNIST search. */
export interface SearchEstimate {
  seconds: number;
  /** What is estimated, as a phrase: "a quick search on MNIST". */
  what: string;
}

export interface BuildProfileOptions {
  backend: BackendReport;
  /** Detected when absent. */
  hardware?: HardwareInfo;
  bench?: MicroBenchResult;
  estimate?: SearchEstimate;
  now?: Date;
}

/**
 * Same machine, same id, across runs and reboots: CPU brand, core and thread counts, total memory (rounded
 * to 256 MiB, since firmware and kernels shift it slightly), OS platform, distro, major release and arch.
 * No serial numbers or host names, so the id identifies hardware, not a person.
 */
export function machineIdOf(hardware: HardwareInfo): string {
  const memoryQuarterGiB = Math.round(hardware.memory.totalBytes / (256 * 1024 * 1024));
  const majorRelease = hardware.os.release.split('.')[0];
  const key = [
    hardware.cpu.brand,
    hardware.cpu.physicalCores,
    hardware.cpu.logicalThreads,
    memoryQuarterGiB,
    hardware.os.platform,
    hardware.os.distro,
    majorRelease,
    hardware.os.arch,
  ].join('|');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** tfjs names of the backends and the words a non-engineer understands for them. */
const BACKEND_WORDS: Record<string, string> = {
  'tensorflow-gpu': 'the graphics card through CUDA',
  webgpu: 'the graphics card through WebGPU',
  tensorflow: 'the processor with native TensorFlow',
  wasm: 'the processor with WebAssembly',
  cpu: 'the processor in plain JavaScript (the slowest option)',
};

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function minutesPhrase(seconds: number): string {
  if (seconds < 90) return 'about a minute';
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} minutes`;
  const hours = seconds / 3600;
  return `about ${hours < 10 ? hours.toFixed(1) : Math.round(hours)} hours`;
}

/** wasm only: SIMD and threads as tfjs itself reports them, when the backend report leaves them out. */
function wasmFeatures(report: BackendReport): { simd?: boolean; threads?: number } {
  if (report.name !== 'wasm') return {};
  try {
    const flags = tf.env();
    const simd = report.simd ?? flags.getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = report.threads ?? (flags.getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1);
    return { simd, threads };
  } catch {
    // The flags exist only once @tensorflow/tfjs-backend-wasm is imported; without them, say nothing.
    return { simd: report.simd, threads: report.threads };
  }
}

/** The plain-language summary: what trains, why not something faster, and how fast it is. */
export function summarise(hardware: HardwareInfo, backend: BackendReport, bench?: MicroBenchResult, estimate?: SearchEstimate): string {
  const sentences: string[] = [];
  const engine = BACKEND_WORDS[backend.name] ?? `the "${backend.name}" engine`;
  let how = engine;
  if (backend.name === 'wasm') {
    const parts: string[] = [];
    if (backend.simd !== undefined) parts.push(`SIMD ${backend.simd ? 'on' : 'off'}`);
    if (backend.threads !== undefined) parts.push(`${backend.threads} thread${backend.threads === 1 ? '' : 's'} per worker`);
    if (parts.length > 0) how += ` (${parts.join(', ')})`;
  }
  if (backend.name === 'webgpu' && backend.adapter) how += ` (${backend.adapter})`;
  if (GPU_BACKENDS.has(backend.name)) {
    sentences.push(`This computer trains on ${how}.`);
  } else if (hardware.cuda.usable && !hardware.cuda.tfjsCompatible) {
    sentences.push(`This computer has an NVIDIA graphics card, but not the CUDA version NAS Studio needs, so it trains on ${how}.`);
  } else if (hardware.cuda.usable) {
    sentences.push(`This computer has an NVIDIA graphics card, but NAS Studio could not use it, so it trains on ${how}.`);
  } else {
    sentences.push(`This computer has no NVIDIA graphics card that NAS Studio can use, so it trains on ${how}.`);
  }

  const { cpu } = hardware;
  const name = cpu.brand.toLowerCase().startsWith(cpu.manufacturer.toLowerCase()) ? cpu.brand : `${cpu.manufacturer} ${cpu.brand}`;
  const vector = cpu.simd.includes('avx512') ? ', AVX-512' : cpu.simd.includes('avx2') ? ', AVX2' : cpu.simd.includes('neon') ? ', NEON' : '';
  sentences.push(
    `The processor is ${name} (${cpu.physicalCores} core${cpu.physicalCores === 1 ? '' : 's'}${vector}) and there is ${gib(hardware.memory.totalBytes)} of memory.`,
  );

  // The backend selector already words each reason for a non-engineer, as a full sentence.
  // The GPU attempt's reason repeats the first sentence when there is no usable CUDA; leave it out then.
  for (const attempt of backend.tried) {
    if (attempt.loaded || (attempt.name === 'tensorflow-gpu' && !hardware.cuda.usable)) continue;
    sentences.push(attempt.why.trim().replace(/([^.!?])$/, '$1.'));
  }

  if (estimate) {
    sentences.push(`Expect ${estimate.what} to take ${minutesPhrase(estimate.seconds)}.`);
  } else if (bench) {
    const conv = bench.measures.filter((m) => m.id.startsWith('conv2d_')).sort((a, b) => b.value - a.value)[0];
    if (conv) {
      sentences.push(`In a short test it computed ${conv.value.toFixed(1)} billion convolution operations per second.`);
    }
  }
  return sentences.join(' ');
}

/** HardwareInfo + the backend in use + optional benchmarks, with an id and a plain-language summary. */
export async function buildProfile(options: BuildProfileOptions): Promise<MachineProfile> {
  if (typeof options?.backend?.name !== 'string' || !Array.isArray(options.backend.tried)) {
    throw new TypeError(
      'buildProfile (src-main/engine/hardware/profile.ts) needs { backend: BackendReport } from selectBackend(); hosts that want a saved or fresh profile call getMachineProfile({ refresh }) in machine-profile.ts.',
    );
  }
  const hardware = options.hardware ?? (await detectHardware());
  const backend: BackendReport = { ...options.backend, ...wasmFeatures(options.backend) };
  return {
    schemaVersion: 1,
    machineId: machineIdOf(hardware),
    createdAt: (options.now ?? new Date()).toISOString(),
    hardware,
    backend,
    ...(options.bench ? { bench: options.bench } : {}),
    summary: summarise(hardware, backend, options.bench, options.estimate),
  };
}
