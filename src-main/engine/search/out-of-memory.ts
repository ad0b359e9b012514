/**
 * The wasm backend's heap is a 32-bit WebAssembly memory: 4 GiB at most, per thread. When a step needs
 * more, a tensor allocation is refused (backend/wasm-heap-guard.ts) or Emscripten aborts from inside a
 * kernel with "Aborted(). Build with -sASSERTIONS for more info." (a WebAssembly.RuntimeError here; a
 * plain Error carrying the same message when it came from a training worker). This turns either into a
 * message that says what happened and what to change.
 */

const WASM_ABORT = /^Aborted\(/;
/**
 * Other ways the same exhaustion shows: the engine's malloc check (backend/wasm-heap-guard.ts, "out of
 * WebAssembly memory"), memory.grow refused.
 */
const WASM_GROW_FAILED = /out of WebAssembly memory|WebAssembly\.Memory|Maximum memory size exceeded|Array buffer allocation failed/i;

/** True when `error` is the wasm backend giving up for lack of heap (here or in a training worker). */
export function isWasmHeapExhausted(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return WASM_ABORT.test(error.message) || WASM_GROW_FAILED.test(error.message);
}

export interface OutOfMemoryContext {
  /** What did not fit, for the message: "supernet", "model". */
  what: string;
  batchSize: number;
  /** Threads the batch is split over (each has its own 4 GiB heap). */
  workers: number;
  /** Partial channels (PC-DARTS) is suggested only where it is not already in use. */
  partialChannels?: boolean;
}

/**
 * The clear error for a wasm heap exhaustion (the original is kept as `cause`), or undefined when
 * `error` is something else and should propagate unchanged.
 */
export function explainWasmOutOfMemory(error: unknown, context: OutOfMemoryContext): Error | undefined {
  if (!isWasmHeapExhausted(error)) return undefined;
  const { what, batchSize, workers } = context;
  const perWorker = Math.ceil(batchSize / Math.max(1, workers));
  const where = workers > 1 ? ` (${perWorker} samples in each of ${workers} workers, each with its own 4 GiB)` : '';
  const tries = [batchSize > 1 ? `--batch-size ${Math.max(1, Math.floor(batchSize / 2))}` : undefined, context.partialChannels ? undefined : 'partial channels (--strategy pcdarts)']
    .filter(Boolean)
    .join(' or ');
  return new Error(`The ${what} does not fit in the 4 GiB WebAssembly memory at batch ${batchSize}${where}; try ${tries || 'a smaller network (fewer channels or cells)'}.`, {
    cause: error,
  });
}
