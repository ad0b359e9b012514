import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-layers 4.22's DepthwiseConv2D stores dilationRate (and saves it in the model config) but
 * calls the op without it ("TODO(cais): Add support for dilation"), and its computeOutputShape
 * ignores it too. So a derived model's dil_conv would silently run undilated in tfjs while every
 * exporter reading the config would build a dilated one. This makes the layer honour dilationRate;
 * undilated layers run the original code.
 */

interface DepthwiseLayer {
  dilationRate: number[];
  strides: number[];
  kernelSize: number[];
  padding: 'same' | 'valid' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  useBias: boolean;
  depthwiseKernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation?: { apply(t: tf.Tensor): tf.Tensor };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: object): tf.Tensor | tf.Tensor[];
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[];
}

const PATCHED = Symbol.for('nas-studio.backend.depthwise-layer-dilation');

const isDilated = (layer: DepthwiseLayer): boolean => layer.dilationRate.some((d) => d !== 1);

function outputLength(input: number | null, kernel: number, padding: string, stride: number, dilation: number): number | null {
  if (input === null) return null;
  const effective = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? input : input - effective + 1;
  return Math.floor((length + stride - 1) / stride);
}

function unsupported(layer: DepthwiseLayer): string | undefined {
  if (layer.dataFormat !== 'channelsLast') return `dataFormat ${layer.dataFormat} (only channelsLast)`;
  if (layer.padding === 'causal') return 'causal padding';
  if (layer.strides.some((s) => s !== 1)) return `strides ${layer.strides.join('x')} with dilation (tfjs needs stride 1)`;
  return undefined;
}

/** Makes tf.layers.depthwiseConv2d honour dilationRate (idempotent). */
export function patchDepthwiseLayerDilation(): void {
  const proto = Object.getPrototypeOf(tf.layers.depthwiseConv2d({ kernelSize: 1 })) as DepthwiseLayer & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  const originalCall = proto.call;
  const originalShape = proto.computeOutputShape;

  proto.call = function (this: DepthwiseLayer, inputs, kwargs) {
    if (!isDilated(this)) return originalCall.call(this, inputs, kwargs);
    const problem = unsupported(this);
    if (problem) throw new Error(`DepthwiseConv2D with dilationRate ${this.dilationRate.join('x')}: ${problem} is not supported (src-main/engine/backend/depthwise-layer-dilation.ts)`);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.depthwiseConv2d(x, this.depthwiseKernel.read() as tf.Tensor4D, this.strides as [number, number],
        this.padding as 'same' | 'valid', 'NHWC', this.dilationRate as [number, number]);
      if (this.useBias && this.bias) y = tf.add(y, this.bias.read());
      if (this.activation) y = this.activation.apply(y);
      return y;
    });
  };

  proto.computeOutputShape = function (this: DepthwiseLayer, inputShape) {
    if (!isDilated(this)) return originalShape.call(this, inputShape);
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    // The original gets batch and channels (depth multiplier) right; only the spatial sizes change.
    const base = originalShape.call(this, shape) as (number | null)[];
    return [base[0],
      outputLength(shape[1], this.kernelSize[0], this.padding, this.strides[0], this.dilationRate[0]),
      outputLength(shape[2], this.kernelSize[1], this.padding, this.strides[1], this.dilationRate[1]),
      base[3]];
  };
  proto[PATCHED] = true;
}
