import type { ArrayDataset } from '../data/dataset.types.js';

function toShared<T extends Float32Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const shared = new Ctor(new SharedArrayBuffer(array.length * Ctor.BYTES_PER_ELEMENT));
  shared.set(array);
  return shared;
}

/** The same dataset backed by SharedArrayBuffers, so worker threads read it without a copy each. */
export function shareDataset(ds: ArrayDataset): ArrayDataset {
  return {
    ...ds,
    x: toShared(ds.x),
    y: toShared(ds.y),
    ...(ds.subjects ? { subjects: toShared(ds.subjects) } : {}),
  };
}
