import * as tf from '@tensorflow/tfjs';
import { onGpuBackend } from '../backend/gpu-backend.js';

/**
 * How many replicas (this thread plus workers) a backend can use. Each worker thread loads a backend of its
 * own: on wasm and cpu that is one more core at work, but on a GPU backend it is one more runtime on the same
 * graphics card (tfjs drives one device per process), and native TensorFlow already spreads one step over
 * every core with its own thread pool. So: one replica per GPU (one, here) and one for native TensorFlow.
 */
export function replicasFor(requested: number): { replicas: number; why?: string } {
  if (requested <= 1) return { replicas: Math.max(1, requested) };
  if (onGpuBackend()) return { replicas: 1, why: `training on one thread: the graphics card runs the whole batch (one worker per GPU, not one per core; ${requested} were asked for)` };
  if (tf.getBackend() === 'tensorflow') return { replicas: 1, why: `training on one thread: native TensorFlow uses every core for each step already (${requested} workers were asked for)` };
  return { replicas: requested };
}
