import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendAttempt, BackendName, BackendReport } from './backend.types.js';
import { registerBatchNormGradient } from './batch-norm-gradient.js';
import { patchBatchNormLayerTraining } from './batch-norm-layer-training.js';
import { registerAvgPoolGradientFix } from './avg-pool-gradient.js';
import { registerDilatedConvGradients } from './dilated-conv-gradients.js';
import { registerWasmBatchNorm } from './wasm-batch-norm.js';
import { registerWasmGradientKernels } from './wasm-grad-kernels.js';
import { guardWasmHeap } from './wasm-heap-guard.js';

export type { BackendAttempt, BackendName, BackendReport } from './backend.types.js';

export interface SelectBackendOptions {
  /** Try this backend first; the usual order follows if it cannot start. */
  prefer?: BackendName;
}

const ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const ENV_VAR = 'NAS_STUDIO_BACKEND';
const ENV_VALUES: Record<string, BackendName> = {
  'tensorflow-gpu': 'tensorflow-gpu', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu',
};

interface Outcome {
  loaded: boolean;
  why: string;
  simd?: boolean;
  threads?: number;
}

let selection: Promise<BackendReport> | undefined;
let chosen: BackendName | undefined;

/**
 * Picks the fastest tfjs backend that starts on this machine (once per process), registers the
 * gradients the engine needs on it, and explains every choice in words a non-engineer understands.
 * NAS_STUDIO_BACKEND=wasm|cpu|tensorflow|tensorflow-gpu forces one (an error if it cannot start).
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  selection ??= pick(options).catch((err: unknown) => {
    selection = undefined;
    throw err;
  });
  return selection;
}

/** The backend selectBackend chose, or undefined before it has finished. */
export function currentBackendName(): BackendName | undefined {
  return chosen;
}

async function pick(options: SelectBackendOptions): Promise<BackendReport> {
  const forcedRaw = process.env[ENV_VAR]?.trim().toLowerCase();
  let order = ORDER;
  let forced: BackendName | undefined;
  if (forcedRaw) {
    forced = ENV_VALUES[forcedRaw];
    if (forced === undefined) {
      throw new Error(`${ENV_VAR}=${forcedRaw} is not a backend NAS Studio knows (src-main/engine/backend/select-backend.ts); use one of: ${Object.keys(ENV_VALUES).join(', ')}`);
    }
    order = [forced];
  } else if (options.prefer) {
    order = [options.prefer, ...ORDER.filter((n) => n !== options.prefer)];
  }

  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const outcome = await tryBackend(name);
    tried.push({ name, loaded: outcome.loaded, why: outcome.why });
    if (!outcome.loaded) continue;
    registerDilatedConvGradients();
    registerBatchNormGradient();
    patchBatchNormLayerTraining();
    registerAvgPoolGradientFix();
    if (name === 'wasm') {
      registerWasmGradientKernels();
      registerWasmBatchNorm();
      guardWasmHeap();
    }
    silenceCpuBackendAdvert();
    chosen = name;
    const report: BackendReport = { name, tried };
    if (outcome.simd !== undefined) report.simd = outcome.simd;
    if (outcome.threads !== undefined) report.threads = outcome.threads;
    return report;
  }
  const reasons = tried.map((t) => `${t.name}: ${t.why}`).join('; ');
  throw new Error(forced
    ? `${ENV_VAR}=${forced} was requested but that backend could not start (src-main/engine/backend/select-backend.ts): ${reasons}`
    : `No TensorFlow.js backend could start (src-main/engine/backend/select-backend.ts): ${reasons}`);
}

/**
 * On its first tensor the cpu backend prints "install our node backend" to the console; the report
 * above already says why native TensorFlow is not used, so the banner would only confuse users.
 */
function silenceCpuBackendAdvert(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

async function tryBackend(name: BackendName): Promise<Outcome> {
  switch (name) {
    case 'tensorflow-gpu': return tryNative('@tensorflow/tfjs-node-gpu', true);
    case 'tensorflow': return tryNative('@tensorflow/tfjs-node', false);
    case 'wasm': return tryWasm();
    case 'cpu': return tryCpu();
  }
}

/** A usable NVIDIA driver is the precondition for the GPU build; without it, loading it only costs time. */
function cudaDriverPresent(): boolean {
  if (process.platform === 'linux') return existsSync('/proc/driver/nvidia/version');
  if (process.platform === 'win32') return Boolean(process.env.CUDA_PATH);
  return false;
}

function isNotInstalled(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function tryNative(pkg: string, gpu: boolean): Promise<Outcome> {
  const label = gpu ? "TensorFlow's native GPU library" : "TensorFlow's native library";
  if (gpu && !cudaDriverPresent()) {
    return { loaded: false, why: `${label} was not tried: no NVIDIA graphics card with a CUDA driver was found on this computer.` };
  }
  try {
    // A variable specifier: the packages are optional and usually absent, so bundlers and tsc must not resolve them.
    const specifier: string = pkg;
    await import(/* @vite-ignore */ specifier);
  } catch (err) {
    if (isNotInstalled(err)) {
      return { loaded: false, why: `${label} is not installed (the optional package ${pkg} could not be downloaded when the app was installed).` };
    }
    return { loaded: false, why: `${label} is installed but could not start on this computer (${message(err)}).` };
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) {
      return { loaded: false, why: `${label} loaded but TensorFlow.js could not switch to it.` };
    }
    await tf.ready();
  } catch (err) {
    return { loaded: false, why: `${label} loaded but failed to start (${message(err)}).` };
  }
  return { loaded: true, why: `Using ${label}: the fastest option available here.` };
}

/** Points the wasm loader at the .wasm files of the installed package, so it works under tsx, vitest and Electron alike. */
function setWasmPathsFromPackage(): void {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(join(dist, '/'));
}

async function tryWasm(): Promise<Outcome> {
  try {
    setWasmPathsFromPackage();
    if (!(await tf.setBackend('wasm'))) {
      return { loaded: false, why: 'The WebAssembly engine could not start on this computer.' };
    }
    await tf.ready();
  } catch (err) {
    return { loaded: false, why: `The WebAssembly engine could not start on this computer (${message(err)}).` };
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const threads = multithread ? getThreadsCount() : 1;
  const speed = simd ? 'with vector (SIMD) instructions' : 'without vector (SIMD) instructions, which is slower';
  return { loaded: true, why: `Using the portable WebAssembly engine ${speed}, on ${threads === 1 ? 'one thread' : `${threads} threads`}.`, simd, threads };
}

async function tryCpu(): Promise<Outcome> {
  if (!(await tf.setBackend('cpu'))) {
    return { loaded: false, why: 'The plain JavaScript engine could not start.' };
  }
  await tf.ready();
  return { loaded: true, why: 'Using the plain JavaScript engine: it always works but trains many times slower.' };
}
