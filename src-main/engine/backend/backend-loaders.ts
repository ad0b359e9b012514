import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from './backend.types.js';
import { probeNativeGpu } from './native-gpu-gate.js';
import { startWebgpu } from './webgpu-backend.js';

/** Starting one backend: whether it runs here and, in words a non-engineer understands, why (not). */
export interface LoadOutcome {
  loaded: boolean;
  why: string;
  simd?: boolean;
  threads?: number;
  adapter?: string;
  /** webgpu on a software (emulated) adapter. */
  software?: boolean;
}

/** The name tf.getBackend() answers for each of ours (both native builds register 'tensorflow'). */
export function tfBackendName(name: BackendName): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}

function isNotInstalled(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Which native build was imported in this process: both register 'tensorflow', so only one can be. */
let nativeLoaded: 'tensorflow-gpu' | 'tensorflow' | undefined;

async function tryNative(gpu: boolean): Promise<LoadOutcome> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const label = gpu ? "TensorFlow's native GPU library" : "TensorFlow's native library";
  if (gpu) {
    const gate = await probeNativeGpu();
    if (!gate.tryIt) return { loaded: false, why: gate.why };
  }
  const self = gpu ? 'tensorflow-gpu' : 'tensorflow';
  if (nativeLoaded && nativeLoaded !== self) {
    return { loaded: false, why: `${label} was not tried: ${nativeLoaded === 'tensorflow-gpu' ? 'the GPU build' : 'the processor build'} of native TensorFlow is already loaded, and only one can be.` };
  }
  if (!nativeLoaded) {
    try {
      // A variable specifier: the packages are optional and usually absent, so bundlers and tsc must not resolve them.
      const specifier: string = pkg;
      await import(/* @vite-ignore */ specifier);
      nativeLoaded = self;
    } catch (err) {
      if (isNotInstalled(err)) {
        return { loaded: false, why: `${label} is not installed (the optional package ${pkg} could not be downloaded when the app was installed).` };
      }
      return { loaded: false, why: `${label} is installed but could not start on this computer (${message(err)}).` };
    }
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) {
      return { loaded: false, why: `${label} loaded but TensorFlow.js could not switch to it.` };
    }
    await tf.ready();
  } catch (err) {
    return { loaded: false, why: `${label} loaded but failed to start (${message(err)}).` };
  }
  return { loaded: true, why: gpu ? `${label} runs on the NVIDIA graphics card through CUDA 11.` : `${label} runs on the processor, on all its cores.` };
}

/** Points the wasm loader at the .wasm files of the installed package, so it works under tsx, vitest and Electron alike. */
function setWasmPathsFromPackage(): void {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(join(dist, '/'));
}

async function tryWasm(): Promise<LoadOutcome> {
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
  return { loaded: true, why: `The portable WebAssembly engine runs ${speed}, on ${threads === 1 ? 'one thread' : `${threads} threads`}.`, simd, threads };
}

async function tryCpu(): Promise<LoadOutcome> {
  if (!(await tf.setBackend('cpu'))) {
    return { loaded: false, why: 'The plain JavaScript engine could not start.' };
  }
  await tf.ready();
  return { loaded: true, why: 'The plain JavaScript engine always works but trains many times slower.' };
}

/** Starts a backend and makes it the active one. */
export function loadBackend(name: BackendName): Promise<LoadOutcome> {
  switch (name) {
    case 'tensorflow-gpu': return tryNative(true);
    case 'webgpu': return startWebgpu();
    case 'tensorflow': return tryNative(false);
    case 'wasm': return tryWasm();
    case 'cpu': return tryCpu();
  }
}
