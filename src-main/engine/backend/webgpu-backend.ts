import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * WebGPU in Node: the optional npm package `webgpu` (Dawn's Node bindings, prebuilt inside the package for
 * Linux, macOS and Windows) gives Node a `navigator.gpu`, and the optional `@tensorflow/tfjs-backend-webgpu`
 * registers tfjs's 'webgpu' backend on it. Dawn reaches the graphics card through Vulkan, Metal or Direct3D 12,
 * so every vendor's GPU can train, with no CUDA involved.
 *
 * Without a GPU driver Dawn finds no adapter. On Linux, a Vulkan driver can be named with VK_ICD_FILENAMES:
 * Chromium's SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json) is a Vulkan GPU emulated on the CPU,
 * slower than wasm, but it lets the tests run the whole WebGPU path on a machine without a GPU.
 */

export interface WebgpuOutcome {
  loaded: boolean;
  why: string;
  adapter?: string;
  /** Dawn says the adapter is a fallback (a software rasteriser such as SwiftShader), not a real GPU. */
  software?: boolean;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

function isNotInstalled(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** "SwiftShader driver 5.0.0 (google swiftshader)", or what parts of it the driver tells. */
export function adapterName(info: AdapterInfoLike | undefined): string {
  if (!info) return 'an unnamed adapter';
  const main = info.description || info.device || 'an unnamed adapter';
  const detail = [info.vendor, info.architecture].filter((s) => s && !main.toLowerCase().includes(s.toLowerCase())).join(' ');
  return detail ? `${main} (${detail})` : main;
}

/** Puts Dawn's WebGPU on globalThis.navigator (Node 20 has no navigator; Node 21+ has one without gpu). */
function installNavigatorGpu(gpu: GpuLike, globals: object): void {
  Object.assign(globalThis, globals);
  const g = globalThis as { navigator?: object };
  if (!g.navigator) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (!('gpu' in g.navigator) || !(g.navigator as { gpu?: unknown }).gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
}

/** Where the Vulkan loader looks for driver manifests on Linux (besides VK_ICD_FILENAMES / VK_DRIVER_FILES). */
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d', path.join(os.homedir(), '.local/share/vulkan/icd.d')];

/**
 * Linux only: whether any Vulkan driver is listed. Without one, Dawn can only fail (and prints warnings
 * about it), so it is not started at all.
 */
export function vulkanDriverListed(env: NodeJS.ProcessEnv = process.env, dirs: string[] = VULKAN_ICD_DIRS): boolean {
  if (env.VK_ICD_FILENAMES?.trim() || env.VK_DRIVER_FILES?.trim()) return true;
  return dirs.some((dir) => {
    try {
      return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

let started: Promise<WebgpuOutcome> | undefined;

/** Loads Dawn and tfjs's webgpu backend once per process, and switches tfjs to it. */
export function startWebgpu(): Promise<WebgpuOutcome> {
  started ??= load();
  return started.then(async (outcome) => {
    if (!outcome.loaded) return outcome;
    try {
      if (!(await tf.setBackend('webgpu'))) return { ...outcome, loaded: false, why: `WebGPU found ${outcome.adapter} but TensorFlow.js could not start on it.` };
      await tf.ready();
    } catch (err) {
      return { ...outcome, loaded: false, why: `WebGPU found ${outcome.adapter} but TensorFlow.js failed on it (${message(err)}).` };
    }
    explainSyncReads();
    return outcome;
  });
}

async function load(): Promise<WebgpuOutcome> {
  // The Vulkan loader wants a runtime directory; without one it prints warnings on every start.
  if (process.platform === 'linux') {
    if (!vulkanDriverListed()) {
      return { loaded: false, why: 'WebGPU was not tried: no Vulkan driver is installed (on Linux, WebGPU reaches the graphics card through its Vulkan driver: Mesa or the vendor\'s).' };
    }
    if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = os.tmpdir();
  }
  let dawn: { create: (flags: string[]) => GpuLike; globals: object };
  try {
    // Variable specifiers: both packages are optional, so bundlers and tsc must not resolve them.
    const specifier: string = 'webgpu';
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (err) {
    if (isNotInstalled(err)) return { loaded: false, why: 'WebGPU is not installed (the optional package webgpu, which carries Dawn, is missing).' };
    return { loaded: false, why: `WebGPU could not start: Dawn did not load on this computer (${message(err)}).` };
  }
  let gpu: GpuLike;
  let info: AdapterInfoLike | undefined;
  try {
    gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      const hint = process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} named no driver Dawn accepts)` : '';
      return { loaded: false, why: `WebGPU found no graphics adapter: no GPU driver that Dawn can use (Vulkan, Metal or Direct3D 12) is installed${hint}.` };
    }
    info = adapter.info;
  } catch (err) {
    return { loaded: false, why: `WebGPU could not ask for a graphics adapter (${message(err)}).` };
  }
  installNavigatorGpu(gpu, dawn.globals);
  try {
    const specifier: string = '@tensorflow/tfjs-backend-webgpu';
    await import(/* @vite-ignore */ specifier);
  } catch (err) {
    if (isNotInstalled(err)) return { loaded: false, why: "WebGPU found a graphics adapter but TensorFlow.js's WebGPU backend is not installed (the optional package @tensorflow/tfjs-backend-webgpu is missing).", adapter: adapterName(info) };
    return { loaded: false, why: `TensorFlow.js's WebGPU backend could not load (${message(err)}).`, adapter: adapterName(info) };
  }
  const software = Boolean(info?.isFallbackAdapter);
  const adapter = adapterName(info);
  return {
    loaded: true,
    adapter,
    software,
    why: software
      ? `WebGPU runs on ${adapter}, a graphics card emulated on the processor (software, not a real GPU).`
      : `WebGPU runs on the graphics card ${adapter}.`,
  };
}

/** The message a synchronous read of GPU data fails with in Node (tests and docs/compute.md name it). */
export const WEBGPU_SYNC_READ = 'WebGPU in Node can only read GPU results asynchronously';

interface WebgpuBackendLike {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown; dtype?: string } | undefined };
  hasReadSyncWarned?: boolean;
  [key: symbol]: boolean | undefined;
}

const EXPLAINED = Symbol.for('nas-studio.backend.webgpu-sync-read');

/**
 * tfjs-backend-webgpu 4.22 reads synchronously (dataSync, arraySync) through a browser OffscreenCanvas, which
 * Node lacks: the read fails with "OffscreenCanvas is not defined". Dawn has no synchronous buffer map either,
 * so such a read cannot work here; this makes it fail with a message that says so (data already on the host,
 * e.g. read once with await data(), still reads synchronously).
 */
function explainSyncReads(): void {
  const backend = tf.findBackend('webgpu') as unknown as WebgpuBackendLike | null;
  if (!backend || backend[EXPLAINED] || typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  backend.hasReadSyncWarned = true;
  const original = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    if (!data || data.values != null || data.dtype === 'string') return original(dataId);
    throw new Error(`${WEBGPU_SYNC_READ} (await tensor.data()); this part of NAS Studio still reads synchronously (dataSync), so it cannot run on webgpu yet (docs/compute.md).`);
  };
  backend[EXPLAINED] = true;
}
