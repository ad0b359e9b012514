import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import { explainWasmOutOfMemory, isWasmHeapExhausted } from '../../../src-main/engine/search/out-of-memory.js';

// Its own file: the backend is process-wide, and this one fills the wasm heap.
beforeAll(async () => {
  const report = await selectBackend({ prefer: 'wasm' });
  expect(report.name).toBe('wasm');
});

interface WasmInternals {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * Fills the real 4 GiB heap the cheap way: tensors that are allocated but never written (their pages are
 * never touched, so the process stays small), halving the size whenever one is refused, until even the
 * backend's own bookkeeping cannot allocate and Emscripten aborts — as a too-large batch does. Returns the
 * first refusal and the abort; everything allocated is freed again.
 */
function exhaustWasmHeap(): { refused?: unknown; abort?: unknown } {
  const backend = tf.backend() as unknown as WasmInternals;
  const held: tf.TensorInfo[] = [];
  let refused: unknown;
  let size = 2 ** 28;
  try {
    while (size >= 1) {
      try {
        held.push(backend.makeOutput([size], 'float32'));
      } catch (error) {
        if (!(error instanceof RangeError)) return { refused, abort: error };
        refused ??= error;
        size = Math.floor(size / 2);
      }
    }
    return { refused };
  } finally {
    for (const info of held) tf.backend().disposeData(info.dataId);
  }
}

describe('wasm heap exhaustion', () => {
  it('refuses a tensor that does not fit before anything is written, then meets the abort; both are explained', () => {
    const kept = tf.tensor1d([1, 2, 3, 4]);
    const { refused, abort } = exhaustWasmHeap();
    // Without the malloc check the refused tensor would have been placed at address 0 and overwritten the heap.
    expect(refused).toBeInstanceOf(RangeError);
    expect((refused as Error).message).toMatch(/^out of WebAssembly memory: a tensor of 1024\.0 MiB did not fit/);
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3, 4]);
    expect(explainWasmOutOfMemory(refused, { what: 'supernet', batchSize: 64, workers: 1 })?.message).toBe(
      'The supernet does not fit in the 4 GiB WebAssembly memory at batch 64; try --batch-size 32 or partial channels (--strategy pcdarts).',
    );
    // Emscripten's own abort, when its bookkeeping finds no room at all.
    expect(abort).toBeInstanceOf(Error);
    expect(isWasmHeapExhausted(abort)).toBe(true);
    const explained = explainWasmOutOfMemory(abort, { what: 'supernet', batchSize: 64, workers: 1 });
    expect(explained?.message).toBe('The supernet does not fit in the 4 GiB WebAssembly memory at batch 64; try --batch-size 32 or partial channels (--strategy pcdarts).');
    expect(explained?.cause).toBe(abort);
    // The backend stays usable once the memory is freed (the search's cleanup disposes its tensors).
    expect(Array.from(tf.tidy(() => tf.ones([3]).add(1)).dataSync())).toEqual([2, 2, 2]);
    kept.dispose();
  });

  it('is recognised when a training worker sends the abort back as a plain message', () => {
    const fromWorker = new Error('Aborted(). Build with -sASSERTIONS for more info.');
    const explained = explainWasmOutOfMemory(fromWorker, { what: 'supernet', batchSize: 64, workers: 2, partialChannels: true });
    expect(explained?.message).toBe('The supernet does not fit in the 4 GiB WebAssembly memory at batch 64 (32 samples in each of 2 workers, each with its own 4 GiB); try --batch-size 32.');
  });

  it('leaves other errors alone', () => {
    expect(explainWasmOutOfMemory(new Error('search: the weight split "x" is empty'), { what: 'supernet', batchSize: 64, workers: 1 })).toBeUndefined();
    expect(explainWasmOutOfMemory('Aborted()', { what: 'supernet', batchSize: 64, workers: 1 })).toBeUndefined();
  });
});
