import type * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { buildExportGraph, samePads, type ExportGraph, type FusedActivation } from './export-graph.js';

const { onnx } = onnxProto;

/**
 * Writes the export graph as an ONNX model (opset 13) with onnx-proto's protobuf classes.
 * Layout: the model's input and output keep the tfjs layout (NHWC, batch dimension "N" free) so outputs
 * compare directly; inside, the whole graph runs NCHW (ONNX Conv/pool are NCHW-only): one Transpose
 * after the input, one before a 4-D output, and a pair around each Reshape so it flattens in tfjs order.
 */

export const ONNX_OPSET = 13;
const FLOAT = 1;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

type Attr = { name: string; i?: number; ints?: number[]; f?: number };

export function exportOnnx(model: tf.LayersModel, graph: ExportGraph = buildExportGraph(model)): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  let counter = 0;
  const fresh = (base: string): string => `${base.replace(/[^A-Za-z0-9_/+.-]/g, '_')}:${counter++}`;

  const node = (opType: string, inputs: string[], attrs: Attr[] = [], name = opType): string => {
    const out = fresh(name);
    nodes.push({
      opType,
      name: out,
      input: inputs,
      output: [out],
      attribute: attrs.map((a) =>
        a.ints !== undefined
          ? { name: a.name, type: ATTR.INTS, ints: a.ints }
          : a.f !== undefined
            ? { name: a.name, type: ATTR.FLOAT, f: a.f }
            : { name: a.name, type: ATTR.INT, i: a.i },
      ),
    });
    return out;
  };
  const floatInit = (name: string, values: Float32Array, dims: number[]): string => {
    const n = fresh(name);
    initializers.push({ name: n, dataType: FLOAT, dims, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
    return n;
  };
  const int64Init = (name: string, values: number[]): string => {
    const n = fresh(name);
    initializers.push({ name: n, dataType: INT64, dims: [values.length], int64Data: values });
    return n;
  };
  const activation = (x: string, a: FusedActivation, name: string): string => (a === 'relu' ? node('Relu', [x], [], `${name}/relu`) : x);

  const rankOf = (id: number): number => graph.tensors.get(id)!.shape.length + 1;
  const names = new Map<number, string>();
  const inputShape = graph.tensors.get(graph.input)!.shape;
  names.set(graph.input, rankOf(graph.input) === 4 ? node('Transpose', ['input'], [{ name: 'perm', ints: [0, 3, 1, 2] }], 'input/to_nchw') : 'input');

  for (const o of graph.ops) {
    const xs = o.inputs.map((i) => names.get(i)!);
    const inShape = graph.tensors.get(o.inputs[0])!.shape;
    const outShape = graph.tensors.get(o.output)!.shape;
    /** Explicit ONNX pads [top, left, bottom, right] reproducing TF's SAME/VALID. */
    const padsFor = (k: [number, number], s: [number, number], d: [number, number], padding: 'same' | 'valid'): number[] => {
      if (padding === 'valid') return [0, 0, 0, 0];
      const [t, b] = samePads(inShape[0], k[0], s[0], d[0]);
      const [l, r] = samePads(inShape[1], k[1], s[1], d[1]);
      return [t, l, b, r];
    };
    let y: string;
    switch (o.kind) {
      case 'conv2d':
      case 'depthwise': {
        const [kh, kw, cin, last] = o.kernelShape;
        const cout = o.kind === 'conv2d' ? last : cin * last;
        const w = new Float32Array(o.kernel.length);
        if (o.kind === 'conv2d') {
          for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let i = 0; i < cin; i++) for (let c = 0; c < cout; c++) w[((c * cin + i) * kh + a) * kw + b] = o.kernel[((a * kw + b) * cin + i) * cout + c];
        } else {
          // grouped conv, one group per input channel: output channel i*mult+m has weights [1, kh, kw]
          for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let c = 0; c < cout; c++) w[(c * kh + a) * kw + b] = o.kernel[(a * kw + b) * cout + c];
        }
        const W = floatInit(`${o.name}/W`, w, [cout, o.kind === 'conv2d' ? cin : 1, kh, kw]);
        const B = floatInit(`${o.name}/B`, o.bias, [cout]);
        y = node('Conv', [xs[0], W, B], [
          { name: 'kernel_shape', ints: [kh, kw] },
          { name: 'strides', ints: o.strides },
          { name: 'dilations', ints: o.dilation },
          { name: 'pads', ints: padsFor([kh, kw], o.strides, o.dilation, o.padding) },
          { name: 'group', i: o.kind === 'conv2d' ? 1 : cin },
        ], o.name);
        y = activation(y, o.activation, o.name);
        break;
      }
      case 'dense': {
        const W = floatInit(`${o.name}/W`, o.kernel, o.kernelShape);
        const B = floatInit(`${o.name}/B`, o.bias, [o.kernelShape[1]]);
        y = activation(node('Gemm', [xs[0], W, B], [], o.name), o.activation, o.name);
        break;
      }
      case 'scaleShift': {
        const dims = inShape.length === 3 ? [o.scale.length, 1, 1] : [o.scale.length];
        const S = floatInit(`${o.name}/scale`, o.scale, dims);
        const T = floatInit(`${o.name}/shift`, o.shift, dims);
        y = activation(node('Add', [node('Mul', [xs[0], S], [], `${o.name}/mul`), T], [], `${o.name}/add`), o.activation, o.name);
        break;
      }
      case 'relu':
        y = node('Relu', xs, [], o.name);
        break;
      case 'softmax':
        y = node('Softmax', xs, [{ name: 'axis', i: -1 }], o.name);
        break;
      case 'add':
        y = activation(node('Sum', xs, [], o.name), o.activation, o.name);
        break;
      case 'concat':
        y = node('Concat', xs, [{ name: 'axis', i: rankOf(o.output) === 4 ? 1 : -1 }], o.name);
        break;
      case 'maxPool':
        y = node('MaxPool', xs, [
          { name: 'kernel_shape', ints: o.pool },
          { name: 'strides', ints: o.strides },
          { name: 'pads', ints: padsFor(o.pool, o.strides, [1, 1], o.padding) },
        ], o.name);
        break;
      case 'avgPool':
        // count_include_pad = 0: padded cells are left out of the average, as in tfjs and TFLite.
        y = node('AveragePool', xs, [
          { name: 'kernel_shape', ints: o.pool },
          { name: 'strides', ints: o.strides },
          { name: 'pads', ints: padsFor(o.pool, o.strides, [1, 1], o.padding) },
          { name: 'count_include_pad', i: 0 },
        ], o.name);
        break;
      case 'globalAvgPool':
        y = node('Flatten', [node('GlobalAveragePool', xs, [], o.name)], [{ name: 'axis', i: 1 }], `${o.name}/flatten`);
        break;
      case 'pad': {
        const [[t, b], [l, r]] = o.pads;
        y = node('Pad', [xs[0], int64Init(`${o.name}/pads`, [0, 0, t, l, 0, 0, b, r])], [], o.name);
        break;
      }
      case 'crop': {
        const [[t, b], [l, r]] = o.crops;
        const starts = int64Init(`${o.name}/starts`, [t, l]);
        const ends = int64Init(`${o.name}/ends`, [inShape[0] - b, inShape[1] - r]);
        y = node('Slice', [xs[0], starts, ends, int64Init(`${o.name}/axes`, [2, 3])], [], o.name);
        break;
      }
      case 'reshape': {
        const src = rankOf(o.inputs[0]) === 4 ? node('Transpose', xs, [{ name: 'perm', ints: [0, 2, 3, 1] }], `${o.name}/to_nhwc`) : xs[0];
        y = node('Reshape', [src, int64Init(`${o.name}/shape`, [-1, ...outShape])], [], o.name);
        if (outShape.length === 3) y = node('Transpose', [y], [{ name: 'perm', ints: [0, 3, 1, 2] }], `${o.name}/to_nchw`);
        break;
      }
      case 'identity':
        y = xs[0];
        break;
    }
    names.set(o.output, y);
  }

  const outShape = graph.tensors.get(graph.output)!.shape;
  const last = names.get(graph.output)!;
  nodes.push({
    opType: rankOf(graph.output) === 4 ? 'Transpose' : 'Identity',
    name: 'output/layout',
    input: [last],
    output: ['output'],
    attribute: rankOf(graph.output) === 4 ? [{ name: 'perm', type: ATTR.INTS, ints: [0, 2, 3, 1] }] : [],
  });
  const valueInfo = (name: string, shape: number[]): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  const modelProto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'nas-studio',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: graph.name,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('input', inputShape)],
      output: [valueInfo('output', outShape)],
    },
  });
  return onnx.ModelProto.encode(modelProto).finish();
}
