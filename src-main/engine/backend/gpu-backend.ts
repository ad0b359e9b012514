import * as tf from '@tensorflow/tfjs';
import { GPU_BACKENDS } from './backend.types.js';
import { tfBackendName } from './backend-loaders.js';
import { activeBackendName } from './select-backend.js';

/**
 * Whether tensors live on a graphics card now: then every host read is a transfer (and on WebGPU in Node
 * only asynchronous reads work), so training keeps its updates on the device. Both native builds answer
 * 'tensorflow' to tf.getBackend(); the name selectBackend activated tells the GPU build apart.
 */
export function onGpuBackend(): boolean {
  const current = tf.getBackend();
  const active = activeBackendName();
  return GPU_BACKENDS.has(active && tfBackendName(active) === current ? active : current);
}
