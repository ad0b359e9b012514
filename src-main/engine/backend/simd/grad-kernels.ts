import { GRAD_KERNELS_WASM_BASE64 } from './grad-kernels.wasm.js';

/** The SIMD loops of grad-kernels.wat, bound to one wasm backend's memory. Addresses are byte offsets. */
export interface SimdGradKernels {
  maxPoolTap(x: number, y: number, dy: number, dxDelta: number, mask: number, cols: number, xStep: number, channels: number): void;
  depthwiseFilterRow(x: number, dy: number, acc: number, cols: number, xStep: number, channels: number): void;
  copyRows(src: number, dst: number, rows: number, rowBytes: number, srcStride: number, dstStride: number): void;
  sumRows(x: number, acc: number, rows: number, channels: number): void;
  mulRowVector(a: number, v: number, out: number, rows: number, channels: number): void;
  addRowVector(a: number, v: number, out: number, rows: number, channels: number): void;
  subRowVector(a: number, v: number, out: number, rows: number, channels: number): void;
  centeredDotRows(x: number, y: number, mean: number, acc: number, rows: number, channels: number): void;
  affineRows(p: number, q: number, a: number, b: number, d: number, out: number, rows: number, channels: number): void;
}

interface WasmBackendInternals { wasm?: { asm?: { memory?: unknown } } }

let enabled = true;

/** Turns the SIMD kernels off (true again: on), so tests and benchmarks can run the JS fallbacks. */
export function setSimdGradKernelsEnabled(on: boolean): void {
  enabled = on;
}

const instances = new WeakMap<WebAssembly.Memory, SimdGradKernels | null>();
let compiled: WebAssembly.Module | null | undefined;

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const binary = atob(GRAD_KERNELS_WASM_BASE64);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null; // no wasm SIMD in this runtime: callers fall back to their JS loops
  }
  return compiled;
}

/**
 * The SIMD kernels instantiated on the tfjs wasm backend's own memory (so they read and write tensors in
 * place), or undefined when that memory is not reachable or the runtime lacks wasm SIMD.
 */
export function simdGradKernels(backend: object): SimdGradKernels | undefined {
  if (!enabled) return undefined;
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const module = compile();
    kernels = module ? new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdGradKernels : null;
    instances.set(memory, kernels);
  }
  return kernels ?? undefined;
}
