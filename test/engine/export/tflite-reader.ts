import * as flatbuffers from 'flatbuffers';

/**
 * A small reader of TFLite flatbuffers for tests, written from schema.fbs slot numbers independently of
 * the writer: it checks the structure the interpreter sees (tensors, quantisation, buffers, operators).
 */

export interface ReadTensor {
  name: string | null;
  shape: number[];
  type: number;
  buffer: number;
  scale: number[] | null;
  zeroPoint: bigint[] | null;
  quantizedDimension: number;
}

export interface ReadModel {
  version: number;
  tensors: ReadTensor[];
  /** Bytes of each buffer (buffer 0 is the empty sentinel). */
  buffers: Uint8Array[];
  operators: { builtinCode: number; inputs: number[]; outputs: number[] }[];
  inputs: number[];
  outputs: number[];
}

function field(bb: flatbuffers.ByteBuffer, table: number, slot: number): number {
  return bb.__offset(table, 4 + 2 * slot);
}

function intVector(bb: flatbuffers.ByteBuffer, table: number, slot: number): number[] {
  const o = field(bb, table, slot);
  if (!o) return [];
  const start = bb.__vector(table + o);
  return Array.from({ length: bb.__vector_len(table + o) }, (_, i) => bb.readInt32(start + 4 * i));
}

function tables(bb: flatbuffers.ByteBuffer, table: number, slot: number): number[] {
  const o = field(bb, table, slot);
  if (!o) return [];
  const start = bb.__vector(table + o);
  return Array.from({ length: bb.__vector_len(table + o) }, (_, i) => bb.__indirect(start + 4 * i));
}

export function readTflite(bytes: Uint8Array): ReadModel {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (!bb.__has_identifier('TFL3')) throw new Error('not a TFLite flatbuffer (identifier is not TFL3)');
  const model = bb.readInt32(bb.position()) + bb.position();
  const versionOffset = field(bb, model, 0);
  const codes = tables(bb, model, 1).map((t) => {
    const deprecated = field(bb, t, 0) ? bb.readInt8(t + field(bb, t, 0)) : 0;
    const builtin = field(bb, t, 3) ? bb.readInt32(t + field(bb, t, 3)) : 0;
    return Math.max(deprecated, builtin);
  });
  const buffers = tables(bb, model, 4).map((t) => {
    const o = field(bb, t, 0);
    if (!o) return new Uint8Array(0);
    const start = bb.__vector(t + o);
    return bytes.subarray(start, start + bb.__vector_len(t + o));
  });
  const [subgraph] = tables(bb, model, 2);
  const tensors = tables(bb, subgraph, 0).map((t): ReadTensor => {
    const nameOffset = field(bb, t, 3);
    const typeOffset = field(bb, t, 1);
    const bufferOffset = field(bb, t, 2);
    const quantOffset = field(bb, t, 4);
    let scale: number[] | null = null;
    let zeroPoint: bigint[] | null = null;
    let quantizedDimension = 0;
    if (quantOffset) {
      const q = bb.__indirect(t + quantOffset);
      const s = field(bb, q, 2);
      if (s) scale = Array.from({ length: bb.__vector_len(q + s) }, (_, i) => bb.readFloat32(bb.__vector(q + s) + 4 * i));
      const z = field(bb, q, 3);
      if (z) zeroPoint = Array.from({ length: bb.__vector_len(q + z) }, (_, i) => bb.readInt64(bb.__vector(q + z) + 8 * i));
      const d = field(bb, q, 6);
      if (d) quantizedDimension = bb.readInt32(q + d);
    }
    return {
      name: nameOffset ? (bb.__string(t + nameOffset) as string) : null,
      shape: intVector(bb, t, 0),
      type: typeOffset ? bb.readInt8(t + typeOffset) : 0,
      buffer: bufferOffset ? bb.readUint32(t + bufferOffset) : 0,
      scale,
      zeroPoint,
      quantizedDimension,
    };
  });
  const operators = tables(bb, subgraph, 3).map((t) => {
    const opcode = field(bb, t, 0) ? bb.readUint32(t + field(bb, t, 0)) : 0;
    return { builtinCode: codes[opcode], inputs: intVector(bb, t, 1), outputs: intVector(bb, t, 2) };
  });
  return {
    version: versionOffset ? bb.readUint32(model + versionOffset) : 0,
    tensors,
    buffers,
    operators,
    inputs: intVector(bb, subgraph, 1),
    outputs: intVector(bb, subgraph, 2),
  };
}
