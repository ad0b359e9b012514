import * as tf from '@tensorflow/tfjs';
import { simdGradKernels, type SimdGradKernels } from './simd/grad-kernels.js';
import type { HeapBackend } from './wasm-heap.js';
import type { DisposingBackend } from './wasm-prims.js';

/**
 * Faster wasm kernels for the data movement and reductions a training step is full of. tfjs-backend-wasm
 * 4.22 slices (and so SplitV, the gradient of a channel Concat) and concatenates with one
 * TypedArray.subarray().set() per row, and sums or averages over leading axes (batch norm statistics and
 * their gradients: axes [0,1,2] of NHWC) by transposing the whole tensor first. Here these are strided row
 * copies and column sums in simd/grad-kernels.wat. Every other case goes to the original kernel.
 */

type WasmBackend = HeapBackend & DisposingBackend;
type KernelArgs = Parameters<tf.KernelFunc>[0];

const FOUR_BYTE = new Set(['float32', 'int32']);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const address = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;

/** The single axis a slice cuts (every other axis taken whole), or -1 when it cuts several. */
function singleSlicedAxis(shape: number[], begin: number[], sizes: number[]): number {
  let axis = -1;
  for (let i = 0; i < shape.length; i++) {
    if (begin[i] === 0 && sizes[i] === shape[i]) continue;
    if (axis >= 0) return -1;
    axis = i;
  }
  return axis;
}

/** x[..., begin:begin+count, ...] along one axis, as one strided row copy. */
function sliceAlongAxis(backend: WasmBackend, simd: SimdGradKernels, x: tf.TensorInfo, axis: number, begin: number, count: number): tf.TensorInfo {
  const outShape = x.shape.slice();
  outShape[axis] = count;
  const out = backend.makeOutput(outShape, x.dtype);
  const inner = size(x.shape.slice(axis + 1));
  const rows = size(x.shape.slice(0, axis));
  if (rows * count * inner > 0) {
    simd.copyRows(address(backend, x) + begin * inner * 4, address(backend, out), rows, count * inner * 4, x.shape[axis] * inner * 4, count * inner * 4);
  }
  return out;
}

export function fastSlice(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackend;
    const x = args.inputs.x as tf.TensorInfo;
    const simd = simdGradKernels(backend);
    if (!simd || !FOUR_BYTE.has(x.dtype)) return original(args);
    const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin, sizes] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
    const axis = singleSlicedAxis(x.shape, begin, sizes);
    if (axis > 0) return sliceAlongAxis(backend, simd, x, axis, begin[axis], sizes[axis]);
    // One cut along axis 0 is a single contiguous copy, which wasm does well.
    if (axis === 0 || x.shape.length < 2) return original(args);
    return sliceGeneral(backend, simd, x, begin, sizes);
  };
}

/**
 * Any slice (e.g. x[:, 1:, 1:, :] in DARTS' factorized reduce): one strided row copy per index of the
 * leading axes, over the last two.
 */
function sliceGeneral(backend: WasmBackend, simd: SimdGradKernels, x: tf.TensorInfo, begin: number[], sizes: number[]): tf.TensorInfo {
  const out = backend.makeOutput(sizes, x.dtype);
  const rank = x.shape.length;
  if (size(sizes) === 0) return out;
  const strides = x.shape.map((_, i) => size(x.shape.slice(i + 1)));
  const rowBytes = sizes[rank - 1] * 4;
  const rows = sizes[rank - 2];
  const srcStride = strides[rank - 2] * 4;
  const outer = sizes.slice(0, rank - 2);
  const count = size(outer);
  const xBase = address(backend, x);
  const outBase = address(backend, out);
  const index = outer.map(() => 0);
  for (let i = 0; i < count; i++) {
    let src = begin[rank - 2] * strides[rank - 2] + begin[rank - 1];
    for (let d = 0; d < outer.length; d++) src += (begin[d] + index[d]) * strides[d];
    simd.copyRows(xBase + src * 4, outBase + i * rows * rowBytes, rows, rowBytes, srcStride, rowBytes);
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export function fastSplitV(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackend;
    const x = args.inputs.x as tf.TensorInfo;
    const simd = simdGradKernels(backend);
    if (!simd || !FOUR_BYTE.has(x.dtype)) return original(args);
    const attrs = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    if (axis === 0) return original(args);
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
    let begin = 0;
    return sizes.map((count) => {
      const out = sliceAlongAxis(backend, simd, x, axis, begin, count);
      begin += count;
      return out;
    });
  };
}

export function fastConcat(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackend;
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const simd = simdGradKernels(backend);
    const nonEmpty = inputs.filter((t) => size(t.shape) > 0);
    if (!simd || nonEmpty.length < 2 || !inputs.every((t) => FOUR_BYTE.has(t.dtype) && t.dtype === inputs[0].dtype)) return original(args);
    const axis = tf.util.parseAxisParam((args.attrs as unknown as { axis: number }).axis, inputs[0].shape)[0];
    if (axis === 0) return original(args);
    tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const rows = size(outShape.slice(0, axis));
    const outRow = size(outShape.slice(axis)) * 4;
    // Addresses after makeOutput: a malloc may grow the heap.
    let offset = address(backend, out);
    for (const t of nonEmpty) {
      const rowBytes = size(t.shape.slice(axis)) * 4;
      simd.copyRows(address(backend, t), offset, rows, rowBytes, rowBytes, outRow);
      offset += rowBytes;
    }
    return out;
  };
}

/** Sum or Mean over a leading run of axes [0..k) of a float32 tensor, as column sums. */
function leadingAxesReduce(mean: boolean) {
  return (original: tf.KernelFunc): tf.KernelFunc => (args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackend;
    const x = args.inputs.x as tf.TensorInfo;
    const simd = simdGradKernels(backend);
    if (!simd || x.dtype !== 'float32') return original(args);
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const k = axes.length;
    if (k === 0 || k === x.shape.length || axes.some((a, i) => a !== i)) return original(args);
    const rows = size(x.shape.slice(0, k));
    const cols = size(x.shape.slice(k));
    if (rows === 0) return original(args);
    const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    const scratch = backend.makeOutput([cols * 2 + 1], 'float32'); // f64 accumulators (+1: alignment)
    const scratchView = backend.typedArrayFromHeap(scratch);
    const acc = new Float64Array(scratchView.buffer, Math.ceil(scratchView.byteOffset / 8) * 8, cols);
    acc.fill(0);
    simd.sumRows(address(backend, x), acc.byteOffset, rows, cols);
    const result = backend.typedArrayFromHeap(out) as Float32Array;
    if (mean) {
      for (let c = 0; c < cols; c++) result[c] = acc[c] / rows;
    } else {
      result.set(acc);
    }
    backend.disposeData(scratch.dataId);
    return out;
  };
}

export const fastSum = leadingAxesReduce(false);
export const fastMean = leadingAxesReduce(true);

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Identity (and a Cast to the same dtype) share the input's buffer, as the cpu backend does and wasm's own
 * Reshape already does: wasm copies it, and a training step runs about a thousand Identities (tape and
 * tf.layers clones). The backend keeps a reference count per buffer, so disposal stays correct.
 */
function shareBuffer(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function fastIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => ((args.inputs.x as tf.TensorInfo).dtype === 'string' ? original(args) : shareBuffer(args));
}

export function fastCast(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    return dtype === x.dtype && dtype !== 'string' ? shareBuffer(args) : original(args);
  };
}

/** The length of v when it is a per-channel vector for x (shape [C] or [1, …, 1, C], C = x's last axis). */
function channelVectorOf(x: tf.TensorInfo, v: tf.TensorInfo): number {
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || v.shape.length > x.shape.length || size(v.shape) !== c || v.shape[v.shape.length - 1] !== c) return 0;
  return size(x.shape) > c ? c : 0;
}

/**
 * Add, Sub and Multiply of a float32 tensor and a per-channel vector (batch norm and its gradient) as one
 * SIMD pass: wasm's broadcasting path runs ~10× slower than its same-shape one for few channels.
 */
function rowVectorBinary(op: 'mul' | 'add' | 'sub') {
  return (original: tf.KernelFunc): tf.KernelFunc => (args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackend;
    let { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const simd = simdGradKernels(backend);
    if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    if (op !== 'sub' && channelVectorOf(a, b) === 0 && channelVectorOf(b, a) > 0) [a, b] = [b, a];
    const c = channelVectorOf(a, b);
    if (c === 0) return original(args);
    const out = backend.makeOutput(a.shape, 'float32');
    const fn = op === 'mul' ? simd.mulRowVector : op === 'add' ? simd.addRowVector : simd.subRowVector;
    fn(address(backend, a), address(backend, b), address(backend, out), size(a.shape) / c, c);
    return out;
  };
}

export const fastMultiply = rowVectorBinary('mul');
export const fastAdd = rowVectorBinary('add');
export const fastSub = rowVectorBinary('sub');
