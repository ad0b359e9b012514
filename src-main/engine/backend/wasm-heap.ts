import type * as tf from '@tensorflow/tfjs';

/** The wasm backend's heap access, for kernels written as plain loops over its memory. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}
