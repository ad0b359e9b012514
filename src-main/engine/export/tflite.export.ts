import type * as tf from '@tensorflow/tfjs';
import { buildExportGraph, sizeOf, type ExportGraph, type ExportOp, type FusedActivation } from './export-graph.js';
import { equalizeDepthwise } from './equalize-depthwise.js';
import { activationParams, calibrate, calibrateChannels, quantizeArray, quantizeBias, quantizeWeightsPerChannel, type QuantParams } from './quantize.js';
import {
  Activation,
  BuiltinOp,
  OptionsType,
  Padding,
  TensorType,
  writeTfliteModel,
  type OptionField,
  type TfliteOperator,
  type TfliteQuant,
  type TfliteTensor,
} from './tflite-flatbuffer.js';

/**
 * Lowers the export graph to a TFLite flatbuffer, float32 or full-integer int8.
 * Layout: TFLite is NHWC like tfjs, so no transposes; batch is fixed to 1 (TFLite Micro's shape).
 * int8: input and output tensors are int8 with their scale / zero point recorded in the model (and in
 * the returned `io`), the TFLite Micro convention; callers quantise inputs and dequantise outputs.
 */

export interface TfliteExport {
  bytes: Uint8Array;
  /** Present for int8: how to quantise the input and dequantise the output. */
  io?: { input: QuantParams; output: QuantParams };
  /** Float shapes with batch 1. */
  inputShape: number[];
  outputShape: number[];
  /** The builtin operators the model uses (BuiltinOp codes), each once, in first-use order. */
  builtinOps: number[];
}

export interface TfliteOptions {
  quantize?: 'float32' | 'int8';
  /** Required for int8: a few hundred representative inputs [N, ...inputShape]. */
  calibration?: tf.Tensor;
  graph?: ExportGraph;
  /** int8 only: give depthwise channels one shared weight scale (see equalize-depthwise.ts). Default true. */
  equalizeDepthwise?: boolean;
}

const f32Bytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const i32Bytes = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const i8Bytes = (a: Int8Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const act = (a: FusedActivation): number => (a === 'relu' ? Activation.RELU : Activation.NONE);
const pad = (p: 'same' | 'valid'): number => (p === 'same' ? Padding.SAME : Padding.VALID);

export async function exportTflite(model: tf.LayersModel, options: TfliteOptions = {}): Promise<TfliteExport> {
  const int8 = options.quantize === 'int8';
  const built = options.graph ?? buildExportGraph(model);
  // int8: equal depthwise channel scales (float-exact), so one scale vector serves every depthwise layer of a width.
  if (int8 && !options.calibration) throw new Error('tflite export: int8 quantisation needs calibration inputs');
  let graph = built;
  if (int8 && options.equalizeDepthwise !== false) {
    const outputs = new Set(built.ops.filter((o) => o.kind === 'depthwise').map((o) => o.output));
    graph = equalizeDepthwise(built, await calibrateChannels(built, options.calibration!, outputs));
  }
  const params = int8 ? await activationQuantParams(graph, options.calibration!) : new Map<number, QuantParams>();

  const tensors: TfliteTensor[] = [];
  const buffers: (Uint8Array | null)[] = [null];
  const operators: TfliteOperator[] = [];
  const activationType = int8 ? TensorType.INT8 : TensorType.FLOAT32;
  const quantOf = (p: QuantParams | undefined): TfliteQuant | undefined => (p ? { scale: [p.scale], zeroPoint: [p.zeroPoint] } : undefined);

  // Constant tensors with identical bytes (shape vectors, axes, equal weights) share one buffer: buffers
  // are read-only in TFLite, so sharing is safe. Tensors without data use buffer 0, the empty sentinel.
  const bufferOf = new Map<string, number>();
  const addTensor = (t: Omit<TfliteTensor, 'buffer'>, data?: Uint8Array): number => {
    let buffer = 0;
    if (data) {
      const key = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
      buffer = bufferOf.get(key) ?? buffers.length;
      if (buffer === buffers.length) {
        bufferOf.set(key, buffer);
        buffers.push(data);
      }
    }
    tensors.push({ ...t, buffer });
    return tensors.length - 1;
  };
  const constInt32 = (values: number[], shape = [values.length]): number => addTensor({ shape, type: TensorType.INT32 }, i32Bytes(Int32Array.from(values)));

  const index = new Map<number, number>();
  const activationTensor = (id: number): number => {
    const known = index.get(id);
    if (known !== undefined) return known;
    const t = graph.tensors.get(id)!;
    // Only the model's input and output are named (the names callers see); inner tensors stay unnamed,
    // which saves a string per tensor.
    const named = id === graph.input || id === graph.output;
    const i = addTensor({ name: named ? t.name : undefined, shape: [1, ...t.shape], type: activationType, quant: quantOf(params.get(id)) });
    index.set(id, i);
    return i;
  };
  const op = (opcode: number, inputs: number[], outputs: number[], optionsType: number = OptionsType.NONE, opts: OptionField[] = []): void => {
    operators.push({ opcode, inputs, outputs, optionsType, options: opts });
  };

  /**
   * Weights (float or per-channel int8 along `qDim`) and bias (float or int32), as the op's constant
   * inputs. The bias is always written, zero or not: LiteRT 2.3 crashes (segfault) on a two-input
   * DEPTHWISE_CONV_2D, though the schema allows one.
   */
  const weightAndBias = (kernel: Float32Array, shape: number[], bias: Float32Array, qDim: number, inputId: number, perChannel: boolean): number[] => {
    if (!int8) {
      const w = addTensor({ shape, type: TensorType.FLOAT32 }, f32Bytes(kernel));
      return [w, addTensor({ shape: [bias.length], type: TensorType.FLOAT32 }, f32Bytes(bias))];
    }
    const channels = perChannel ? shape[qDim] : 1;
    const inner = shape.slice(qDim + 1).reduce((a, b) => a * b, 1);
    const { q, scales } = quantizeWeightsPerChannel(kernel, channels, perChannel ? (i) => Math.floor(i / inner) % channels : () => 0);
    const inScale = params.get(inputId)!.scale;
    const w = addTensor({ shape, type: TensorType.INT8, quant: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: perChannel ? qDim : 0 } }, i8Bytes(q));
    const b = addTensor(
      { shape: [bias.length], type: TensorType.INT32, quant: { scale: scales.map((s) => s * inScale), zeroPoint: scales.map(() => 0), quantizedDimension: 0 } },
      i32Bytes(quantizeBias(bias, inScale, scales)),
    );
    return [w, b];
  };

  const depthwise = (o: ExportOp, kernel: Float32Array, kshape: [number, number, number, number], bias: Float32Array, strides: [number, number], dilation: [number, number], padding: 'same' | 'valid', activation: FusedActivation): void => {
    const [kh, kw, cin, mult] = kshape;
    // HWIM and TFLite's [1, kh, kw, cin*mult] share one memory order.
    const wb = weightAndBias(kernel, [1, kh, kw, cin * mult], bias, 3, o.inputs[0], true);
    op(BuiltinOp.DEPTHWISE_CONV_2D, [activationTensor(o.inputs[0]), ...wb], [activationTensor(o.output)], OptionsType.DepthwiseConv2DOptions, [
      [0, 'int8', pad(padding)],
      [1, 'int32', strides[1]],
      [2, 'int32', strides[0]],
      [3, 'int32', mult],
      [4, 'int8', act(activation)],
      [5, 'int32', dilation[1]],
      [6, 'int32', dilation[0]],
    ]);
  };

  const fullyConnected = (o: ExportOp, kernelIO: Float32Array, inDim: number, outDim: number, bias: Float32Array, activation: FusedActivation): void => {
    const oi = new Float32Array(kernelIO.length);
    for (let i = 0; i < inDim; i++) for (let j = 0; j < outDim; j++) oi[j * inDim + i] = kernelIO[i * outDim + j];
    // Per-tensor weight scale: per-channel FULLY_CONNECTED is missing from older TFLite runtimes.
    const wb = weightAndBias(oi, [outDim, inDim], bias, 0, o.inputs[0], false);
    op(BuiltinOp.FULLY_CONNECTED, [activationTensor(o.inputs[0]), ...wb], [activationTensor(o.output)], OptionsType.FullyConnectedOptions, [[0, 'int8', act(activation)]]);
  };

  const inputIndex = activationTensor(graph.input);
  for (const o of graph.ops) {
    const inShape = graph.tensors.get(o.inputs[0])!.shape;
    const outShape = graph.tensors.get(o.output)!.shape;
    switch (o.kind) {
      case 'conv2d': {
        const [kh, kw, cin, cout] = o.kernelShape;
        const ohwi = new Float32Array(o.kernel.length);
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < cin; i++) for (let c = 0; c < cout; c++) ohwi[((c * kh + y) * kw + x) * cin + i] = o.kernel[((y * kw + x) * cin + i) * cout + c];
        const wb = weightAndBias(ohwi, [cout, kh, kw, cin], o.bias, 0, o.inputs[0], true);
        op(BuiltinOp.CONV_2D, [activationTensor(o.inputs[0]), ...wb], [activationTensor(o.output)], OptionsType.Conv2DOptions, [
          [0, 'int8', pad(o.padding)],
          [1, 'int32', o.strides[1]],
          [2, 'int32', o.strides[0]],
          [3, 'int8', act(o.activation)],
          [4, 'int32', o.dilation[1]],
          [5, 'int32', o.dilation[0]],
        ]);
        break;
      }
      case 'depthwise':
        depthwise(o, o.kernel, o.kernelShape, o.bias, o.strides, o.dilation, o.padding, o.activation);
        break;
      case 'dense':
        fullyConnected(o, o.kernel, o.kernelShape[0], o.kernelShape[1], o.bias, o.activation);
        break;
      case 'scaleShift': {
        // Unfolded batch norm: a per-channel multiply-add, written as a 1x1 depthwise conv (4-D) or a
        // diagonal fully-connected layer (2-D) so int8 keeps a per-channel scale.
        const c = o.scale.length;
        if (inShape.length === 3) depthwise(o, o.scale, [1, 1, c, 1], o.shift, [1, 1], [1, 1], 'valid', o.activation);
        else {
          const diag = new Float32Array(c * c);
          for (let k = 0; k < c; k++) diag[k * c + k] = o.scale[k];
          fullyConnected(o, diag, c, c, o.shift, o.activation);
        }
        break;
      }
      case 'relu':
        op(BuiltinOp.RELU, [activationTensor(o.inputs[0])], [activationTensor(o.output)]);
        break;
      case 'softmax':
        op(BuiltinOp.SOFTMAX, [activationTensor(o.inputs[0])], [activationTensor(o.output)], OptionsType.SoftmaxOptions, [[0, 'float32', 1]]);
        break;
      case 'add': {
        let acc = activationTensor(o.inputs[0]);
        for (let k = 1; k < o.inputs.length; k++) {
          const last = k === o.inputs.length - 1;
          const out = last
            ? activationTensor(o.output)
            : addTensor({ shape: [1, ...outShape], type: activationType, quant: quantOf(params.get(o.output)) });
          op(BuiltinOp.ADD, [acc, activationTensor(o.inputs[k])], [out], OptionsType.AddOptions, [[0, 'int8', last ? act(o.activation) : Activation.NONE]]);
          acc = out;
        }
        break;
      }
      case 'concat': {
        const outP = params.get(o.output);
        const inputs = o.inputs.map((id) => {
          const p = params.get(id);
          if (!int8 || (p!.scale === outP!.scale && p!.zeroPoint === outP!.zeroPoint)) return activationTensor(id);
          // int8 CONCATENATION needs one scale for all inputs and the output: requantise those that differ.
          const t = graph.tensors.get(id)!;
          const r = addTensor({ shape: [1, ...t.shape], type: TensorType.INT8, quant: quantOf(outP) });
          op(BuiltinOp.QUANTIZE, [activationTensor(id)], [r]);
          return r;
        });
        op(BuiltinOp.CONCATENATION, inputs, [activationTensor(o.output)], OptionsType.ConcatenationOptions, [
          [0, 'int32', outShape.length],
          [1, 'int8', Activation.NONE],
        ]);
        break;
      }
      case 'maxPool':
      case 'avgPool':
        op(o.kind === 'maxPool' ? BuiltinOp.MAX_POOL_2D : BuiltinOp.AVERAGE_POOL_2D, [activationTensor(o.inputs[0])], [activationTensor(o.output)], OptionsType.Pool2DOptions, [
          [0, 'int8', pad(o.padding)],
          [1, 'int32', o.strides[1]],
          [2, 'int32', o.strides[0]],
          [3, 'int32', o.pool[1]],
          [4, 'int32', o.pool[0]],
          [5, 'int8', Activation.NONE],
        ]);
        break;
      case 'globalAvgPool':
        op(BuiltinOp.MEAN, [activationTensor(o.inputs[0]), constInt32([1, 2])], [activationTensor(o.output)], OptionsType.ReducerOptions, [[0, 'bool', 0]]);
        break;
      case 'pad': {
        const paddings = constInt32([0, 0, ...o.pads[0], ...o.pads[1], 0, 0], [4, 2]);
        op(BuiltinOp.PAD, [activationTensor(o.inputs[0]), paddings], [activationTensor(o.output)], OptionsType.PadOptions, []);
        break;
      }
      case 'crop': {
        const [h, w, c] = inShape;
        const [[t, bt], [l, r]] = o.crops;
        const begin = constInt32([0, t, l, 0]);
        const end = constInt32([1, h - bt, w - r, c]);
        const strides = constInt32([1, 1, 1, 1]);
        op(BuiltinOp.STRIDED_SLICE, [activationTensor(o.inputs[0]), begin, end, strides], [activationTensor(o.output)], OptionsType.StridedSliceOptions, [
          [0, 'int32', 0],
          [1, 'int32', 0],
        ]);
        break;
      }
      case 'reshape': {
        const shape = [1, ...outShape];
        op(BuiltinOp.RESHAPE, [activationTensor(o.inputs[0]), constInt32(shape)], [activationTensor(o.output)], OptionsType.ReshapeOptions, [[0, 'int32vec', shape]]);
        break;
      }
      case 'identity':
        throw new Error(`tflite export: identity op "${o.name}" should have been removed`);
    }
  }
  const outputIndex = activationTensor(graph.output);
  const bytes = writeTfliteModel({
    description: `NAS Studio export of ${graph.name} (${int8 ? 'int8' : 'float32'})`,
    tensors,
    buffers,
    operators,
    inputs: [inputIndex],
    outputs: [outputIndex],
  });
  return {
    bytes,
    io: int8 ? { input: params.get(graph.input)!, output: params.get(graph.output)! } : undefined,
    inputShape: [1, ...graph.tensors.get(graph.input)!.shape],
    outputShape: [1, ...graph.tensors.get(graph.output)!.shape],
    builtinOps: [...new Set(operators.map((o) => o.opcode))],
  };
}

/**
 * Per-tensor activation parameters from calibration, with the constraints TFLite's int8 kernels impose:
 * pooling, pad, slice and reshape keep their input's parameters; softmax outputs scale 1/256, zero
 * point -128; concatenation needs one scale for its inputs and output, so it takes the union range of
 * its inputs. Inputs made by a computing op (conv, add, ...) are calibrated to that union range directly
 * (what TFLite's converter does), so they need no requantisation; the others are requantised by a
 * QUANTIZE op before the concatenation.
 */
export async function activationQuantParams(graph: ExportGraph, calibration: tf.Tensor): Promise<Map<number, QuantParams>> {
  const ranges = await calibrate(graph, calibration);
  const producer = new Map(graph.ops.map((o) => [o.output, o]));
  const widened = new Set<number>();
  for (const o of graph.ops) {
    if (o.kind !== 'concat') continue;
    const rs = o.inputs.map((id) => ranges.get(id)!);
    const union = { min: Math.min(...rs.map((r) => r.min)), max: Math.max(...rs.map((r) => r.max)) };
    ranges.set(o.output, union);
    for (const id of o.inputs) {
      const kind = producer.get(id)?.kind;
      // Pass-through ops share their input's parameters and a concat's are fixed by its own inputs; a
      // tensor already widened for an earlier concat keeps that range.
      if (kind === undefined || kind === 'maxPool' || kind === 'avgPool' || kind === 'pad' || kind === 'crop' || kind === 'reshape' || kind === 'concat' || widened.has(id)) continue;
      ranges.set(id, union);
      widened.add(id);
    }
  }
  const params = new Map<number, QuantParams>();
  const fromRange = (id: number): QuantParams => {
    const r = ranges.get(id)!;
    return activationParams(r.min, r.max);
  };
  params.set(graph.input, fromRange(graph.input));
  for (const o of graph.ops) {
    switch (o.kind) {
      case 'maxPool':
      case 'avgPool':
      case 'pad':
      case 'crop':
      case 'reshape':
        params.set(o.output, params.get(o.inputs[0])!);
        break;
      case 'softmax':
        params.set(o.output, { scale: 1 / 256, zeroPoint: -128 });
        break;
      default:
        params.set(o.output, fromRange(o.output));
    }
  }
  return params;
}

/** Quantises float inputs for an int8 model (helper for verification and callers). */
export function quantizeInput(values: ArrayLike<number>, p: QuantParams): Int8Array {
  return quantizeArray(values, p);
}

export { sizeOf };
