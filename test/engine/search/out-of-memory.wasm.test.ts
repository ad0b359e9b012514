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
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}

/**
 * Exhausts the real 4 GiB heap the cheap way: tensors that are allocated but never written (the pages
 * are never touched, so the process stays small), halving the size whenever malloc refuses, until the
 * backend's own bookkeeping cannot allocate and Emscripten aborts — the same abort a too-large batch meets.
 */
function provokeWasmAbort(): unknown {
  const backend = tf.backend() as unknown as WasmInternals;
  const held: tf.TensorInfo[] = [];
  let size = 2 ** 28;
  try {
    while (size >= 1) {
      const info = backend.makeOutput([size], 'float32');
      held.push(info);
      if (backend.dataIdMap.get(info.dataId).memoryOffset === 0) size = Math.floor(size / 2);
    }
    return undefined;
  } catch (error) {
    return error;
  } finally {
    for (const info of held) tf.backend().disposeData(info.dataId);
  }
}

describe('wasm heap exhaustion', () => {
  it('is recognised from the real abort and explained with the batch and what to try', () => {
    const abort = provokeWasmAbort();
    expect(abort).toBeInstanceOf(Error);
    expect(isWasmHeapExhausted(abort)).toBe(true);
    const explained = explainWasmOutOfMemory(abort, { what: 'supernet', batchSize: 64, workers: 1 });
    expect(explained?.message).toBe('The supernet does not fit in the 4 GiB WebAssembly memory at batch 64; try --batch-size 32 or partial channels (--strategy pcdarts).');
    expect(explained?.cause).toBe(abort);
    // The backend stays usable once the memory is freed (the search's cleanup disposes its tensors).
    expect(Array.from(tf.tidy(() => tf.ones([3]).add(1)).dataSync())).toEqual([2, 2, 2]);
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
