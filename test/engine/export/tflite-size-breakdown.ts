import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Byte breakdown of a TFLite flatbuffer by category (weights, biases, quantisation parameters, tensor and
 * operator tables, ...), the figures in docs/export.md. Walks the file by hand (schema.fbs slots) and gives
 * each byte to the first object that claims it: objects referenced several times count once, and bytes no
 * object claims are alignment padding.
 * CLI: npx tsx test/engine/export/tflite-size-breakdown.ts FILE.tflite [...]
 */

export interface SizeBreakdown {
  total: number;
  tensors: number;
  buffers: number;
  operators: number;
  weightValues: number;
  biasValues: number;
  /** Bytes per category; they add up to total. */
  bytes: Map<string, number>;
}

const OP_NAMES: Record<number, string> = { 0: 'ADD', 1: 'AVG_POOL', 2: 'CONCAT', 3: 'CONV_2D', 4: 'DW_CONV', 6: 'DEQUANTIZE', 9: 'FC', 17: 'MAX_POOL', 19: 'RELU', 22: 'RESHAPE', 25: 'SOFTMAX', 34: 'PAD', 40: 'MEAN', 45: 'STRIDED_SLICE', 114: 'QUANTIZE' };

export function tfliteSizeBreakdown(buf: Uint8Array): SizeBreakdown & { opCounts: Map<string, number> } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (p: number): number => dv.getUint32(p, true);
  const i32 = (p: number): number => dv.getInt32(p, true);
  const claimed = new Uint8Array(buf.length);
  const cats = new Map<string, number>();
  const claim = (start: number, end: number, cat: string): void => {
    let n = 0;
    for (let p = start; p < end; p++) {
      if (!claimed[p]) {
        claimed[p] = 1;
        n++;
      }
    }
    cats.set(cat, (cats.get(cat) ?? 0) + n);
  };
  const table = (pos: number, cat: string) => {
    const vt = pos - i32(pos);
    const vtSize = dv.getUint16(vt, true);
    claim(vt, vt + vtSize, 'vtables');
    claim(pos, pos + dv.getUint16(vt + 2, true), cat);
    const off = (s: number): number => (4 + 2 * s < vtSize ? dv.getUint16(vt + 4 + 2 * s, true) : 0);
    return {
      has: (s: number): boolean => off(s) !== 0,
      i32: (s: number): number => (off(s) ? i32(pos + off(s)) : 0),
      i8: (s: number): number => (off(s) ? dv.getInt8(pos + off(s)) : 0),
      ref: (s: number): number => (off(s) ? pos + off(s) + u32(pos + off(s)) : 0),
    };
  };
  const vector = (pos: number, elem: number, cat: string): number => {
    const n = u32(pos);
    claim(pos, pos + 4 + n * elem, cat);
    return n;
  };
  const string = (pos: number, cat: string): void => claim(pos, pos + 4 + u32(pos) + 1, cat);
  const item = (vec: number, i: number): number => vec + 4 + 4 * i + u32(vec + 4 + 4 * i);

  claim(0, 8, 'header');
  const model = table(u32(0), 'model/subgraph tables');
  const opcodesVec = model.ref(1);
  const opcodes = Array.from({ length: vector(opcodesVec, 4, 'opcode tables') }, (_, i) => {
    const t = table(item(opcodesVec, i), 'opcode tables');
    return Math.max(t.i32(3), t.i8(0));
  });
  if (model.has(3)) string(model.ref(3), 'description');
  const subVec = model.ref(2);
  vector(subVec, 4, 'model/subgraph tables');
  const sg = table(item(subVec, 0), 'model/subgraph tables');
  const tensorsVec = sg.ref(0);
  const nTensors = vector(tensorsVec, 4, 'tensor offset vector');
  vector(sg.ref(1), 4, 'model/subgraph tables');
  vector(sg.ref(2), 4, 'model/subgraph tables');
  if (sg.has(4)) string(sg.ref(4), 'model/subgraph tables');
  const opsVec = sg.ref(3);
  const nOps = vector(opsVec, 4, 'operator offset vector');
  const role = new Map<number, 'weights' | 'bias'>();
  const opCounts = new Map<string, number>();
  for (let i = 0; i < nOps; i++) {
    const t = table(item(opsVec, i), 'operator tables');
    const code = opcodes[t.i32(0)];
    const name = OP_NAMES[code] ?? String(code);
    opCounts.set(name, (opCounts.get(name) ?? 0) + 1);
    const inPos = t.ref(1);
    const nIn = vector(inPos, 4, 'operator in/out vectors');
    vector(t.ref(2), 4, 'operator in/out vectors');
    if (t.has(4)) table(t.ref(4), 'operator options');
    const ins = Array.from({ length: nIn }, (_, k) => i32(inPos + 4 + 4 * k));
    if (code === 3 || code === 4 || code === 9) {
      if (ins[1] >= 0) role.set(ins[1], 'weights');
      if (ins.length > 2 && ins[2] >= 0) role.set(ins[2], 'bias');
    }
  }
  const buffersVec = model.ref(4);
  const nBuffers = vector(buffersVec, 4, 'buffer offset vector');
  const bufferPos = Array.from({ length: nBuffers }, (_, i) => item(buffersVec, i));
  let weightValues = 0;
  let biasValues = 0;
  const counted = new Set<number>();
  for (let i = 0; i < nTensors; i++) {
    const t = table(item(tensorsVec, i), 'tensor tables');
    vector(t.ref(0), 4, 'tensor shapes');
    if (t.has(3)) string(t.ref(3), 'tensor names');
    const r = role.get(i);
    const b = t.i32(2);
    if (b > 0) {
      const bt = table(bufferPos[b], 'buffer tables');
      if (bt.has(0)) {
        const n = vector(bt.ref(0), 1, r === 'weights' ? 'data: weights' : r === 'bias' ? 'data: biases' : 'data: other constants');
        // A buffer shared by several tensors counts once.
        if (r === 'weights' && !counted.has(b)) weightValues += n / (t.i8(1) === 9 ? 1 : 4);
        if (r === 'bias' && !counted.has(b)) biasValues += n / 4;
        counted.add(b);
      }
    }
    if (t.has(4)) {
      const q = table(t.ref(4), 'quant tables');
      const kind = r ?? (b > 0 ? 'other constants' : 'activation');
      if (q.has(0)) vector(q.ref(0), 4, 'quant min/max');
      if (q.has(1)) vector(q.ref(1), 4, 'quant min/max');
      if (q.has(2)) vector(q.ref(2), 4, `quant scales: ${kind}`);
      if (q.has(3)) vector(q.ref(3), 8, 'quant zero points');
    }
  }
  for (const p of bufferPos) table(p, 'buffer tables');
  let pad = 0;
  for (let p = 0; p < buf.length; p++) if (!claimed[p]) pad++;
  cats.set('padding (alignment)', pad);
  return { total: buf.length, tensors: nTensors, buffers: nBuffers, operators: nOps, weightValues, biasValues, bytes: cats, opCounts };
}
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of process.argv.slice(2)) {
    const b = tfliteSizeBreakdown(new Uint8Array(readFileSync(file)));
    console.log(`${file}: ${b.total} B, ${b.tensors} tensors, ${b.buffers} buffers, ${b.operators} operators; ${b.weightValues} weight and ${b.biasValues} bias values`);
    console.log(`  ops ${[...b.opCounts].map(([k, v]) => `${k}:${v}`).join(' ')}`);
    for (const [k, v] of [...b.bytes].sort((x, y) => y[1] - x[1])) console.log(`  ${k.padEnd(28)} ${String(v).padStart(8)}  ${((100 * v) / b.total).toFixed(1).padStart(5)} %`);
  }
}
