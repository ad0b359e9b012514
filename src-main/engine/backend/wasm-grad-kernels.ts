import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad, depthwiseFilterGrad, depthwiseInputGrad } from './conv-grad-math.js';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';
import { wasmPrims, type DisposingBackend } from './wasm-prims.js';

/**
 * Gradient kernels for tfjs-backend-wasm 4.22, computed with its fast (XNNPACK) forward convolutions.
 * wasm lacks Conv2DBackpropFilter and both depthwise backprops, and its own Conv2DBackpropInput is
 * a slow direct loop; these replace them.
 */

type KernelArgs = Parameters<tf.KernelFunc>[0];

const REPLACED = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;

/** The wasm kernels we replaced, kept so tests and benchmarks can compare against them. */
export const originalWasmKernels = new Map<string, tf.KernelConfig>();

function args(a: KernelArgs) {
  return { inputs: a.inputs, attrs: (a.attrs ?? {}) as unknown as ConvAttrs & { filterShape: number[]; inputShape: number[] }, P: wasmPrims(a.backend as unknown as DisposingBackend) };
}

const kernelFuncs: Record<(typeof REPLACED)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: (a) => {
    const { inputs, attrs, P } = args(a);
    const { x, dy } = inputs;
    const g = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs, false);
    return conv2dFilterGrad(P, x, dy, g);
  },
  Conv2DBackpropInput: (a) => {
    const { inputs, attrs, P } = args(a);
    const { dy, filter } = inputs;
    const g = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs, false);
    return conv2dInputGrad(P, dy, filter, attrs.inputShape, g);
  },
  DepthwiseConv2dNativeBackpropFilter: (a) => {
    const { inputs, attrs, P } = args(a);
    const { x, dy } = inputs;
    const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
    return depthwiseFilterGrad(P, x, dy, g);
  },
  DepthwiseConv2dNativeBackpropInput: (a) => {
    const { inputs, attrs, P } = args(a);
    const { dy, filter } = inputs;
    const g = convGeometry('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, filter.shape, attrs, true);
    return depthwiseInputGrad(P, dy, filter, attrs.inputShape, g);
  },
};

let registered = false;

/** Registers the gradient kernels on the wasm backend (idempotent). */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  for (const name of REPLACED) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing !== undefined) {
      originalWasmKernels.set(name, existing);
      tf.unregisterKernel(name, 'wasm');
    }
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFuncs[name] });
  }
  registered = true;
}
