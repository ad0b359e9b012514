import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22 does not check malloc: when the 4 GiB WebAssembly memory cannot hold a tensor,
 * malloc returns 0 and the tensor is placed at address 0, so the kernel then overwrites the heap's own
 * data (wrong numbers, a NaN "divergence", or a crash far from the cause). This makes that allocation throw
 * instead, before anything is written; search/out-of-memory.ts turns the error into advice for the user.
 */

/** The message every refused allocation carries (search/out-of-memory.ts recognises it). */
export const WASM_OUT_OF_MEMORY = 'out of WebAssembly memory';

interface WasmModule {
  _malloc(bytes: number): number;
  asm?: { malloc?: (bytes: number) => number };
  HEAPU8: Uint8Array;
}

const GUARDED = Symbol.for('nas-studio.backend.wasm-heap-guard');

/** Installs the check on the current wasm backend (idempotent). */
export function guardWasmHeap(): void {
  const backend = tf.backend() as unknown as { wasm?: WasmModule & { [GUARDED]?: true } };
  const wasm = backend.wasm;
  if (!wasm || wasm[GUARDED]) return;
  // The raw export: Module._malloc starts as a stub that replaces itself with the export on first use,
  // which would also replace this wrapper.
  const malloc = wasm.asm?.malloc ?? wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number): number => {
    const address = malloc(bytes);
    if (address === 0 && bytes > 0) {
      const heapMiB = Math.round(wasm.HEAPU8.length / 2 ** 20);
      throw new RangeError(`${WASM_OUT_OF_MEMORY}: a tensor of ${(bytes / 2 ** 20).toFixed(1)} MiB did not fit (heap at ${heapMiB} MiB of at most 4096)`);
    }
    return address;
  };
  wasm[GUARDED] = true;
}
