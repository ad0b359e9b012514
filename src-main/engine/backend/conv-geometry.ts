import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-grad-math.js';

type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

export interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: RoundingMode;
  dataFormat?: 'NHWC' | 'NCHW';
}

/** Geometry of a forward conv from kernel attrs; only NHWC is supported (the engine is NHWC throughout). */
export function convGeometry(
  kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean,
): ConvGeometry & { outShape: number[] } {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm (src-main/engine/backend): only NHWC is supported, got dataFormat ${attrs.dataFormat}`);
  }
  if (depthwise && filterShape[3] !== 1) {
    throw new Error(`${kernel} on wasm (src-main/engine/backend): only channel multiplier 1 is supported, got ${filterShape[3]}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise,
  );
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: [info.padInfo.top, info.padInfo.bottom, info.padInfo.left, info.padInfo.right],
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    outShape: info.outShape,
  };
}
