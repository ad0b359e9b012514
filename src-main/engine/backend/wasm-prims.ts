import * as tf from '@tensorflow/tfjs';
import type { ConvPrims, Pads4, Pair } from './conv-grad-math.js';

/** The slice of the wasm backend we use: only disposeData. */
export interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

type Attrs = tf.NamedAttrMap;

/**
 * Primitives that call the wasm backend's own kernel functions directly: no engine bookkeeping,
 * no tape, no tidy; every intermediate is freed with backend.disposeData.
 */
export interface WasmPrims extends ConvPrims<tf.TensorInfo> {
  stridedSlice(x: tf.TensorInfo, begin: number[], end: number[], strides: number[]): tf.TensorInfo;
  /** [B,M,K] × [B,K,N] → [B,M,N] (XNNPACK). */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo;
}

export function wasmPrims(backend: DisposingBackend): WasmPrims {
  const kernels = new Map<string, tf.KernelFunc>();
  const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs): tf.TensorInfo => {
    let fn = kernels.get(name);
    if (fn === undefined) {
      const config = tf.getKernel(name, 'wasm');
      if (config === undefined) throw new Error(`wasm backend: kernel ${name} is not registered (src-main/engine/backend/wasm-prims.ts)`);
      fn = config.kernelFunc;
      kernels.set(name, fn);
    }
    return fn({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as tf.TensorInfo;
  };
  const explicit = (p: Pads4) => [[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]] as unknown as Attrs[string];
  return {
    shape: (t) => t.shape,
    conv2d: (x, filter, strides: Pair, dilations: Pair, pads) =>
      run('Conv2D', { x, filter }, { strides, dilations, pad: explicit(pads), dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string }),
    depthwise: (x, filter, strides: Pair, dilations: Pair, pads) =>
      run('DepthwiseConv2dNative', { x, filter }, { strides, dilations, pad: explicit(pads), dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string }),
    transpose: (x, perm) => run('Transpose', { x }, { perm }),
    reshape: (x, shape) => run('Reshape', { x }, { shape }),
    pad: (x, paddings) => run('PadV2', { x }, { paddings: paddings as unknown as Attrs[string], constantValue: 0 }),
    slice: (x, begin, size) => run('Slice', { x }, { begin, size }),
    reverse: (x, axes) => run('Reverse', { x }, { dims: axes }),
    stridedSlice: (x, begin, end, strides) => run('StridedSlice', { x }, {
      begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    }),
    matMul: (a, b) => run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }),
    sum: (x, axes) => run('Sum', { x }, { axis: axes, keepDims: false }),
    dispose: (t) => {
      backend.disposeData(t.dataId);
    },
  };
}
