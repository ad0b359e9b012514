import * as flatbuffers from 'flatbuffers';

/**
 * Writes a TFLite model flatbuffer (file identifier "TFL3", schema version 3) with the flatbuffers
 * Builder. There is no flatc here, so the tables are built by hand; the numbers below are the field
 * slots (declaration order in tensorflow/lite/schema/schema.fbs; a union takes two slots: type, value)
 * and the enum values the format requires.
 */

export const TensorType = { FLOAT32: 0, INT32: 2, INT8: 9 } as const;
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RELU: 19,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  STRIDED_SLICE: 45,
  QUANTIZE: 114,
} as const;
/** BuiltinOptions union member numbers (NONE = 0). */
export const OptionsType = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  PadOptions: 22,
  ReducerOptions: 27,
  StridedSliceOptions: 32,
} as const;
export const Padding = { SAME: 0, VALID: 1 } as const;
export const Activation = { NONE: 0, RELU: 1 } as const;

// Field slots per table.
const MODEL = { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4 };
const OPERATOR_CODE = { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 };
const QUANT = { min: 0, max: 1, scale: 2, zero_point: 3, quantized_dimension: 6 };
const BUFFER = { data: 0 };
const OPERATOR = { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 };

export interface TfliteQuant {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension?: number;
}

export interface TfliteTensor {
  /** Left out of the file when absent: the interpreter names such tensors itself. */
  name?: string;
  shape: number[];
  type: number;
  /** Index into buffers (0 = no data). */
  buffer: number;
  quant?: TfliteQuant;
}

/** One option field: slot, kind and value. */
export type OptionField = [slot: number, kind: 'int32' | 'int8' | 'bool' | 'float32' | 'int32vec', value: number | number[]];

export interface TfliteOperator {
  opcode: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  options: OptionField[];
}

export interface TfliteModelSpec {
  description: string;
  tensors: TfliteTensor[];
  /** buffers[0] must be empty. */
  buffers: (Uint8Array | null)[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

function intVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function longVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: flatbuffers.Builder, offsets: flatbuffers.Offset[]): flatbuffers.Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** Buffer.data is declared force_align: 16 so weights can be used in place (mmap, TFLite Micro). */
function alignedBytes(b: flatbuffers.Builder, data: Uint8Array): flatbuffers.Offset {
  b.startVector(1, data.length, 16);
  const raw = b as unknown as { bb: flatbuffers.ByteBuffer; space: number };
  raw.space -= data.length;
  raw.bb.setPosition(raw.space);
  raw.bb.bytes().set(data, raw.space);
  return b.endVector();
}

function buildOptions(b: flatbuffers.Builder, fields: OptionField[]): flatbuffers.Offset {
  const vectors = fields.map(([, kind, value]) => (kind === 'int32vec' ? intVector(b, value as number[]) : 0));
  const slots = fields.length === 0 ? 0 : Math.max(...fields.map(([slot]) => slot)) + 1;
  b.startObject(slots);
  fields.forEach(([slot, kind, value], i) => {
    const v = value as number;
    if (kind === 'int32') b.addFieldInt32(slot, v, 0);
    else if (kind === 'int8') b.addFieldInt8(slot, v, 0);
    else if (kind === 'bool') b.addFieldInt8(slot, v ? 1 : 0, 0);
    else if (kind === 'float32') b.addFieldFloat32(slot, v, 0);
    else b.addFieldOffset(slot, vectors[i], 0);
  });
  return b.endObject();
}

/** Serialises the model; operator codes are collected from the operators. */
export function writeTfliteModel(spec: TfliteModelSpec): Uint8Array {
  const b = new flatbuffers.Builder(1 << 16);
  // Identical vectors and quantisation tables are written once and shared (flatbuffers allows several
  // references to one object): per-channel zero points, shapes and repeated activation parameters.
  const shared = new Map<string, flatbuffers.Offset>();
  const once = (key: string, make: () => flatbuffers.Offset): flatbuffers.Offset => {
    let o = shared.get(key);
    if (o === undefined) {
      o = make();
      shared.set(key, o);
    }
    return o;
  };
  // Fields equal to their schema default are left out (flatbuffers' rule; every reader applies the
  // defaults). Every default passed to addField* below is the schema's default for that field.

  const opcodes = [...new Set(spec.operators.map((o) => o.opcode))];
  const opcodeOffsets = opcodes.map((code) => {
    b.startObject(4);
    b.addFieldInt8(OPERATOR_CODE.deprecated_builtin_code, Math.min(code, 127), 0);
    b.addFieldInt32(OPERATOR_CODE.version, 1, 1);
    b.addFieldInt32(OPERATOR_CODE.builtin_code, code, 0);
    return b.endObject();
  });

  // Data-less buffers (buffer 0, the empty sentinel) share one empty table.
  const bufferOffsets = spec.buffers.map((data) => {
    if (!data || data.length === 0) {
      return once('buffer:empty', () => {
        b.startObject(0);
        return b.endObject();
      });
    }
    const dataOffset = alignedBytes(b, data);
    b.startObject(1);
    b.addFieldOffset(BUFFER.data, dataOffset, 0);
    return b.endObject();
  });

  const tensorOffsets = spec.tensors.map((t) => {
    const name = t.name ? b.createString(t.name) : 0;
    const shape = once(`shape:${t.shape.join(',')}`, () => intVector(b, t.shape));
    let quant = 0;
    if (t.quant) {
      const q = t.quant;
      const scaleKey = `scale:${q.scale.join(',')}`;
      const zpKey = `zp:${q.zeroPoint.join(',')}`;
      quant = once(`quant:${scaleKey}|${zpKey}|${q.quantizedDimension ?? 0}`, () => {
        const scale = once(scaleKey, () => floatVector(b, q.scale));
        const zp = once(zpKey, () => longVector(b, q.zeroPoint));
        b.startObject(7);
        b.addFieldOffset(QUANT.scale, scale, 0);
        b.addFieldOffset(QUANT.zero_point, zp, 0);
        b.addFieldInt32(QUANT.quantized_dimension, q.quantizedDimension ?? 0, 0);
        return b.endObject();
      });
    }
    b.startObject(5);
    b.addFieldOffset(TENSOR.shape, shape, 0);
    b.addFieldInt8(TENSOR.type, t.type, 0);
    b.addFieldInt32(TENSOR.buffer, t.buffer, 0);
    if (name) b.addFieldOffset(TENSOR.name, name, 0);
    if (quant) b.addFieldOffset(TENSOR.quantization, quant, 0);
    return b.endObject();
  });

  const operatorOffsets = spec.operators.map((op) => {
    const inputs = intVector(b, op.inputs);
    const outputs = intVector(b, op.outputs);
    // Identical options tables (most convolutions and pools of a network) are written once.
    const options = op.optionsType === OptionsType.NONE ? 0 : once(`options:${op.optionsType}:${JSON.stringify(op.options)}`, () => buildOptions(b, op.options));
    b.startObject(5);
    b.addFieldInt32(OPERATOR.opcode_index, opcodes.indexOf(op.opcode), 0);
    b.addFieldOffset(OPERATOR.inputs, inputs, 0);
    b.addFieldOffset(OPERATOR.outputs, outputs, 0);
    b.addFieldInt8(OPERATOR.builtin_options_type, op.optionsType, 0);
    if (options) b.addFieldOffset(OPERATOR.builtin_options, options, 0);
    return b.endObject();
  });

  const tensors = offsetVector(b, tensorOffsets);
  const inputs = intVector(b, spec.inputs);
  const outputs = intVector(b, spec.outputs);
  const operators = offsetVector(b, operatorOffsets);
  const subgraphName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(SUBGRAPH.tensors, tensors, 0);
  b.addFieldOffset(SUBGRAPH.inputs, inputs, 0);
  b.addFieldOffset(SUBGRAPH.outputs, outputs, 0);
  b.addFieldOffset(SUBGRAPH.operators, operators, 0);
  b.addFieldOffset(SUBGRAPH.name, subgraphName, 0);
  const subgraph = b.endObject();

  const opcodeVec = offsetVector(b, opcodeOffsets);
  const subgraphVec = offsetVector(b, [subgraph]);
  const description = b.createString(spec.description);
  const bufferVec = offsetVector(b, bufferOffsets);
  b.startObject(5);
  b.addFieldInt32(MODEL.version, 3, 0);
  b.addFieldOffset(MODEL.operator_codes, opcodeVec, 0);
  b.addFieldOffset(MODEL.subgraphs, subgraphVec, 0);
  b.addFieldOffset(MODEL.description, description, 0);
  b.addFieldOffset(MODEL.buffers, bufferVec, 0);
  const model = b.endObject();
  b.finish(model, 'TFL3');
  return b.asUint8Array().slice();
}
