import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad, depthwiseFilterGrad, depthwiseInputGrad } from './conv-grad-math.js';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';
import { tfPrims } from './tf-prims.js';
import { hasOurWasmKernel } from './wasm-grad-kernels.js';

/**
 * tfjs-core's gradients for Conv2D and DepthwiseConv2dNative assert dilations == 1, so a dilated conv
 * (DARTS dil_conv) cannot be trained on any backend. These configs compute the dilated case (stride 1)
 * with forward convolutions as tf ops, and hand dilation 1 to the original gradient unchanged. On wasm
 * they run our backprop kernels instead, which take dilations and have a fast depthwise filter gradient.
 */

// tf.layers passes dilations: null for an undilated conv.
const isOne = (v: number | number[] | null | undefined): boolean =>
  v == null || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);

function dilatedGradConfig(kernelName: 'Conv2D' | 'DepthwiseConv2dNative', original: tf.GradConfig): tf.GradConfig {
  const depthwise = kernelName === 'DepthwiseConv2dNative';
  return {
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const convAttrs = attrs as unknown as ConvAttrs;
      if (isOne(convAttrs.dilations)) return original.gradFunc(dy, saved, attrs);
      if (!isOne(convAttrs.strides)) {
        throw new Error(`Gradient of ${kernelName} (src-main/engine/backend/dilated-conv-gradients.ts): dilation > 1 needs stride 1, got strides ${String(convAttrs.strides)}; compute a strided dilated conv on x[::2, ::2] instead`);
      }
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = convGeometry(`${kernelName} gradient`, x.shape, filter.shape, convAttrs, depthwise);
      const dy4 = dy as tf.Tensor4D;
      const names = depthwise
        ? ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']
        : ['Conv2DBackpropInput', 'Conv2DBackpropFilter'];
      if (tf.getBackend() === 'wasm' && names.every(hasOurWasmKernel)) {
        const kernelAttrs = { strides: convAttrs.strides, pad: convAttrs.pad, dilations: convAttrs.dilations, dimRoundingMode: convAttrs.dimRoundingMode, dataFormat: 'NHWC' };
        return {
          x: () => tf.engine().runKernel(names[0], { dy: dy4, filter }, { ...kernelAttrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
          filter: () => tf.engine().runKernel(names[1], { x, dy: dy4 }, { ...kernelAttrs, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        };
      }
      return depthwise
        ? {
            x: () => depthwiseInputGrad(tfPrims, dy4, filter, x.shape, g),
            filter: () => depthwiseFilterGrad(tfPrims, x, dy4, g),
          }
        : {
            x: () => conv2dInputGrad(tfPrims, dy4, filter, x.shape, g),
            filter: () => conv2dFilterGrad(tfPrims, x, dy4, g),
          };
    },
  };
}

// tfjs's registries are process-wide; the marker keeps registration single even if this module loads twice.
const REGISTERED = Symbol.for('nas-studio.backend.dilated-conv-gradients');

/**
 * Replaces the Conv2D and DepthwiseConv2dNative gradients for every backend, which makes dilated
 * tf.layers.conv2d and separableConv2d trainable (idempotent). Forward results are unchanged.
 */
export function registerDilatedConvGradients(): void {
  const marker = globalThis as { [REGISTERED]?: boolean };
  if (marker[REGISTERED]) return;
  for (const name of ['Conv2D', 'DepthwiseConv2dNative'] as const) {
    const original = tf.getGradient(name);
    if (original === undefined) throw new Error(`tfjs has no gradient for ${name} to extend (src-main/engine/backend/dilated-conv-gradients.ts)`);
    tf.registerGradient(dilatedGradConfig(name, original));
  }
  routeDilatedFusedConvsThroughPlainOps();
  marker[REGISTERED] = true;
}

type FusedConvArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedDepthwiseArgs = Parameters<typeof tf.fused.depthwiseConv2d>[0];

function applyBiasAndActivation(y: tf.Tensor4D, a: FusedConvArgs | FusedDepthwiseArgs): tf.Tensor4D {
  let out = a.bias === undefined ? y : tf.add(y, a.bias) as tf.Tensor4D;
  switch (a.activation ?? 'linear') {
    case 'linear': break;
    case 'relu': out = tf.relu(out); break;
    case 'relu6': out = tf.relu6(out); break;
    case 'elu': out = tf.elu(out); break;
    case 'sigmoid': out = tf.sigmoid(out); break;
    case 'leakyrelu': out = tf.leakyRelu(out, a.leakyreluAlpha); break;
    case 'prelu': out = tf.prelu(out, a.preluActivationWeights as tf.Tensor) as tf.Tensor4D; break;
    default: throw new Error(`Fused conv activation ${String(a.activation)} is not supported with dilations (src-main/engine/backend/dilated-conv-gradients.ts)`);
  }
  return out;
}

/**
 * tf.layers.conv2d calls tf.fused.conv2d, whose inline custom gradient also asserts dilations == 1.
 * A dilated fused conv is therefore computed as plain ops (conv, bias, activation), whose gradients
 * are the ones registered above. Undilated calls are untouched.
 */
function routeDilatedFusedConvsThroughPlainOps(): void {
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; depthwiseConv2d: typeof tf.fused.depthwiseConv2d };
  const originalConv = fused.conv2d;
  const originalDepthwise = fused.depthwiseConv2d;
  fused.conv2d = ((a: FusedConvArgs) => {
    if (isOne(a.dilations)) return originalConv(a);
    return tf.tidy(() => applyBiasAndActivation(
      tf.conv2d(a.x as tf.Tensor4D, a.filter as tf.Tensor4D, a.strides, a.pad, a.dataFormat, a.dilations, a.dimRoundingMode), a));
  }) as typeof tf.fused.conv2d;
  fused.depthwiseConv2d = ((a: FusedDepthwiseArgs) => {
    if (isOne(a.dilations)) return originalDepthwise(a);
    return tf.tidy(() => applyBiasAndActivation(
      tf.depthwiseConv2d(a.x as tf.Tensor4D, a.filter as tf.Tensor4D, a.strides, a.pad, a.dataFormat, a.dilations, a.dimRoundingMode), a));
  }) as typeof tf.fused.depthwiseConv2d;
}
