import type * as tf from '@tensorflow/tfjs';

/**
 * A layout-neutral intermediate graph of a derived model, read generically from any tf.LayersModel built
 * from the stock-layer vocabulary. Every exporter (ONNX, TFLite, reports) walks this instead of tfjs layers.
 * Shapes are NHWC without the batch dimension. Batch norm is folded into the preceding conv / depthwise /
 * dense where that op's output feeds nothing else (or into each branch of a concatenation of such ops),
 * otherwise it stays as a per-channel scale-and-shift; a following ReLU is fused into the op (or the
 * concatenated branches) before it where possible.
 */

export type FusedActivation = 'linear' | 'relu';
export type Padding = 'same' | 'valid';

interface OpBase {
  name: string;
  inputs: number[];
  output: number;
}

export type ExportOp = OpBase &
  (
    | {
        kind: 'conv2d';
        /** [kh, kw, cin, cout] (tfjs HWIO). */
        kernel: Float32Array;
        kernelShape: [number, number, number, number];
        bias: Float32Array;
        strides: [number, number];
        dilation: [number, number];
        padding: Padding;
        activation: FusedActivation;
      }
    | {
        kind: 'depthwise';
        /** [kh, kw, cin, multiplier]; output channel c = i * multiplier + m. */
        kernel: Float32Array;
        kernelShape: [number, number, number, number];
        bias: Float32Array;
        strides: [number, number];
        dilation: [number, number];
        padding: Padding;
        activation: FusedActivation;
      }
    | { kind: 'dense'; kernel: Float32Array; kernelShape: [number, number]; bias: Float32Array; activation: FusedActivation }
    | { kind: 'scaleShift'; scale: Float32Array; shift: Float32Array; activation: FusedActivation }
    | { kind: 'relu' }
    | { kind: 'softmax' }
    | { kind: 'add'; activation: FusedActivation }
    | { kind: 'concat' }
    | { kind: 'maxPool' | 'avgPool'; pool: [number, number]; strides: [number, number]; padding: Padding }
    | { kind: 'globalAvgPool' }
    | { kind: 'pad'; pads: [[number, number], [number, number]] }
    | { kind: 'crop'; crops: [[number, number], [number, number]] }
    | { kind: 'reshape' }
    | { kind: 'identity' }
  );

export interface ExportTensor {
  id: number;
  name: string;
  /** Without the batch dimension. */
  shape: number[];
}

export interface ExportGraph {
  name: string;
  tensors: Map<number, ExportTensor>;
  /** In execution (topological) order. */
  ops: ExportOp[];
  input: number;
  output: number;
}

type Cfg = Record<string, any>;

function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  if (Array.isArray(v) && v.length === 1) return [Number(v[0]), Number(v[0])];
  throw new Error(`export: cannot read ${what} from ${JSON.stringify(v)}`);
}

function pads2(v: unknown, what: string): [[number, number], [number, number]] {
  if (typeof v === 'number') return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const [a, b] = v as unknown[];
    const h = typeof a === 'number' ? ([a, a] as [number, number]) : pair(a, what);
    const w = typeof b === 'number' ? ([b, b] as [number, number]) : pair(b, what);
    return [h, w];
  }
  throw new Error(`export: cannot read ${what} from ${JSON.stringify(v)}`);
}

function activationOf(cfg: Cfg, layerName: string): FusedActivation | 'softmax' {
  const a = (cfg.activation ?? 'linear') as string;
  if (a === 'linear' || a === 'relu' || a === 'softmax') return a;
  throw new Error(`export: layer "${layerName}" has activation "${a}"; only linear, relu and softmax can be exported`);
}

function requireChannelsLast(cfg: Cfg, layerName: string): void {
  if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') {
    throw new Error(`export: layer "${layerName}" uses dataFormat ${cfg.dataFormat}; only channelsLast is supported`);
  }
}

/**
 * Stock tfjs-layers 4.22's DepthwiseConv2D saves dilationRate but runs undilated, while ONNX and TFLite
 * would honour it: such a layer means different things in different runtimes, so it is refused. Derived
 * models write a dilated depthwise conv as SeparableConv2D, which stock tfjs runs dilated.
 */
function refuseDilatedDepthwise(cfg: Cfg, layerName: string): void {
  const [dh, dw] = pair(cfg.dilationRate ?? 1, `dilationRate of ${layerName}`);
  if (dh === 1 && dw === 1) return;
  throw new Error(
    `export: layer "${layerName}" is a DepthwiseConv2D with dilationRate ${dh}x${dw}, which stock TensorFlow.js runs undilated; ` +
      'the model was saved by a NAS Studio older than December 2026: retrain it to export it',
  );
}

/**
 * Reads every weight of a model once, with an awaited read. GPU backends keep what an awaited read fetched on the
 * host, so buildExportGraph's synchronous reads work after it on WebGPU too (which has no synchronous read).
 */
export async function readWeightsToHost(model: tf.LayersModel): Promise<void> {
  await Promise.all(model.weights.map((w) => w.read().data()));
}

/** Reads a tf.LayersModel into the export graph, then folds batch norm and fuses ReLUs (see readWeightsToHost). */
export function buildExportGraph(model: tf.LayersModel): ExportGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`export: model "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; exactly one of each is supported`);
  }
  const tensors = new Map<number, ExportTensor>();
  const bySymbolic = new Map<number, number>();
  let nextId = 0;
  const addTensor = (sym: tf.SymbolicTensor, name: string): number => {
    const known = bySymbolic.get(sym.id);
    if (known !== undefined) return known;
    const shape = sym.shape.slice(1).map((d, i) => {
      if (d === null || d === undefined) throw new Error(`export: tensor "${name}" has an unknown dimension ${i + 1}; every dimension but batch must be fixed`);
      return d;
    });
    const id = nextId++;
    tensors.set(id, { id, name, shape });
    bySymbolic.set(sym.id, id);
    return id;
  };
  const input = addTensor(model.inputs[0], 'input');

  const ops: ExportOp[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const nodes = (layer as any).inboundNodes as { inputTensors: tf.SymbolicTensor[]; outputTensors: tf.SymbolicTensor[] }[];
    const node = nodes.find((n) => n.inputTensors.every((t) => bySymbolic.has(t.id)));
    if (!node) throw new Error(`export: layer "${layer.name}" (${className}) is not connected to the model input, or the model nests another model`);
    const inputs = node.inputTensors.map((t) => bySymbolic.get(t.id)!);
    const output = addTensor(node.outputTensors[0], layer.name);
    const cfg = layer.getConfig() as Cfg;
    const weights = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    const base = { name: layer.name, inputs, output };
    const withActivation = (op: ExportOp, act: FusedActivation | 'softmax'): void => {
      if (act === 'softmax') {
        const mid = nextId++;
        tensors.set(mid, { id: mid, name: `${layer.name}/logits`, shape: tensors.get(output)!.shape });
        op.output = mid;
        ops.push(op);
        ops.push({ kind: 'softmax', name: `${layer.name}/softmax`, inputs: [mid], output });
      } else {
        (op as { activation: FusedActivation }).activation = act;
        ops.push(op);
      }
    };
    switch (className) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        requireChannelsLast(cfg, layer.name);
        const depthwise = className === 'DepthwiseConv2D';
        if (depthwise) refuseDilatedDepthwise(cfg, layer.name);
        const kernelVar = depthwise ? (layer as any).depthwiseKernel : (layer as any).kernel;
        const kernelShape = kernelVar.shape as [number, number, number, number];
        const outChannels = depthwise ? kernelShape[2] * kernelShape[3] : kernelShape[3];
        const bias = cfg.useBias ? Float32Array.from(weights[1]) : new Float32Array(outChannels);
        const conv = {
          ...base,
          kind: depthwise ? ('depthwise' as const) : ('conv2d' as const),
          kernel: Float32Array.from(weights[0]),
          kernelShape,
          bias,
          strides: pair(cfg.strides ?? 1, `strides of ${layer.name}`),
          dilation: pair(cfg.dilationRate ?? 1, `dilationRate of ${layer.name}`),
          padding: cfg.padding as Padding,
          activation: 'linear' as FusedActivation,
        };
        if (conv.padding !== 'same' && conv.padding !== 'valid') throw new Error(`export: layer "${layer.name}" has padding "${cfg.padding}"`);
        withActivation(conv, activationOf(cfg, layer.name));
        break;
      }
      case 'SeparableConv2D': {
        // tf.separableConv2d: a depthwise conv (strides, dilation; no bias), then a 1×1 conv with the bias.
        requireChannelsLast(cfg, layer.name);
        const dwShape = (layer as any).depthwiseKernel.shape as [number, number, number, number];
        const pwShape = (layer as any).pointwiseKernel.shape as [number, number, number, number];
        const mid = nextId++;
        const outShape = tensors.get(output)!.shape;
        tensors.set(mid, { id: mid, name: `${layer.name}/depthwise`, shape: [...outShape.slice(0, -1), dwShape[2] * dwShape[3]] });
        const padding = cfg.padding as Padding;
        if (padding !== 'same' && padding !== 'valid') throw new Error(`export: layer "${layer.name}" has padding "${cfg.padding}"`);
        ops.push({
          name: `${layer.name}/depthwise`, inputs, output: mid, kind: 'depthwise', kernel: Float32Array.from(weights[0]), kernelShape: dwShape,
          bias: new Float32Array(dwShape[2] * dwShape[3]), strides: pair(cfg.strides ?? 1, `strides of ${layer.name}`),
          dilation: pair(cfg.dilationRate ?? 1, `dilationRate of ${layer.name}`), padding, activation: 'linear',
        });
        const bias = cfg.useBias ? Float32Array.from(weights[2]) : new Float32Array(pwShape[3]);
        withActivation({
          ...base, inputs: [mid], kind: 'conv2d', kernel: Float32Array.from(weights[1]), kernelShape: pwShape, bias,
          strides: [1, 1], dilation: [1, 1], padding: 'valid', activation: 'linear',
        }, activationOf(cfg, layer.name));
        break;
      }
      case 'Dense': {
        const inShape = tensors.get(inputs[0])!.shape;
        if (inShape.length !== 1) {
          throw new Error(`export: dense layer "${layer.name}" gets a rank-${inShape.length + 1} input; add a reshape/flatten to [batch, features] before it`);
        }
        const kernelShape = (layer as any).kernel.shape as [number, number];
        const bias = cfg.useBias ? Float32Array.from(weights[1]) : new Float32Array(kernelShape[1]);
        withActivation({ ...base, kind: 'dense', kernel: Float32Array.from(weights[0]), kernelShape, bias, activation: 'linear' }, activationOf(cfg, layer.name));
        break;
      }
      case 'BatchNormalization': {
        const axis = cfg.axis as number;
        const rank = tensors.get(inputs[0])!.shape.length + 1;
        if (axis !== -1 && axis !== rank - 1) throw new Error(`export: batch norm "${layer.name}" normalises axis ${axis}; only the channel (last) axis is supported`);
        let k = 0;
        const gamma = cfg.scale ? weights[k++] : undefined;
        const beta = cfg.center ? weights[k++] : undefined;
        const mean = weights[k++];
        const variance = weights[k];
        const eps = cfg.epsilon as number;
        const scale = new Float32Array(mean.length);
        const shift = new Float32Array(mean.length);
        for (let c = 0; c < mean.length; c++) {
          scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
          shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
        }
        ops.push({ ...base, kind: 'scaleShift', scale, shift, activation: 'linear' });
        break;
      }
      case 'Activation': {
        const act = activationOf(cfg, layer.name);
        ops.push({ ...base, kind: act === 'linear' ? 'identity' : act });
        break;
      }
      case 'ReLU':
        if (cfg.maxValue !== undefined && cfg.maxValue !== null) throw new Error(`export: ReLU "${layer.name}" has maxValue ${cfg.maxValue}; only plain ReLU is supported`);
        ops.push({ ...base, kind: 'relu' });
        break;
      case 'Add':
        ops.push({ ...base, kind: 'add', activation: 'linear' });
        break;
      case 'Concatenate': {
        const rank = tensors.get(output)!.shape.length + 1;
        if (cfg.axis !== -1 && cfg.axis !== rank - 1) throw new Error(`export: concatenate "${layer.name}" joins axis ${cfg.axis}; only the channel (last) axis is supported`);
        ops.push({ ...base, kind: 'concat' });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        requireChannelsLast(cfg, layer.name);
        const pool = pair(cfg.poolSize, `poolSize of ${layer.name}`);
        ops.push({
          ...base,
          kind: className === 'MaxPooling2D' ? 'maxPool' : 'avgPool',
          pool,
          strides: pair(cfg.strides ?? pool, `strides of ${layer.name}`),
          padding: cfg.padding as Padding,
        });
        break;
      }
      case 'GlobalAveragePooling2D':
        requireChannelsLast(cfg, layer.name);
        ops.push({ ...base, kind: 'globalAvgPool' });
        break;
      case 'ZeroPadding2D':
        requireChannelsLast(cfg, layer.name);
        ops.push({ ...base, kind: 'pad', pads: pads2(cfg.padding, `padding of ${layer.name}`) });
        break;
      case 'Cropping2D':
        requireChannelsLast(cfg, layer.name);
        ops.push({ ...base, kind: 'crop', crops: pads2(cfg.cropping, `cropping of ${layer.name}`) });
        break;
      case 'Reshape':
      case 'Flatten':
        ops.push({ ...base, kind: 'reshape' });
        break;
      case 'Dropout':
        ops.push({ ...base, kind: 'identity' });
        break;
      default:
        throw new Error(`export: layer "${layer.name}" is a ${className}, which the exporters do not know (see docs/export.md for the vocabulary)`);
    }
  }
  const output = bySymbolic.get(model.outputs[0].id);
  if (output === undefined) throw new Error(`export: the output of model "${model.name}" is not produced by its layers`);
  const graph: ExportGraph = { name: model.name, tensors, ops, input, output };
  removeIdentities(graph);
  mergeDuplicateRelus(graph);
  foldScaleShift(graph);
  fuseRelu(graph);
  return graph;
}

function consumers(graph: ExportGraph, tensorId: number): ExportOp[] {
  return graph.ops.filter((op) => op.inputs.includes(tensorId));
}

function replaceUses(graph: ExportGraph, from: number, to: number): void {
  for (const op of graph.ops) op.inputs = op.inputs.map((i) => (i === from ? to : i));
  if (graph.output === from) graph.output = to;
}

function removeIdentities(graph: ExportGraph): void {
  for (const op of [...graph.ops]) {
    if (op.kind !== 'identity') continue;
    graph.ops.splice(graph.ops.indexOf(op), 1);
    replaceUses(graph, op.output, op.inputs[0]);
    graph.tensors.delete(op.output);
  }
}

/**
 * DARTS-style cells apply a ReLU at the start of every edge, so one tensor often feeds several identical
 * ReLUs: keep the first, and let the others' readers use its output (one op and one tensor fewer each).
 */
function mergeDuplicateRelus(graph: ExportGraph): void {
  const firstReluOf = new Map<number, ExportOp>();
  for (const op of [...graph.ops]) {
    if (op.kind !== 'relu') continue;
    const first = firstReluOf.get(op.inputs[0]);
    if (!first) {
      firstReluOf.set(op.inputs[0], op);
      continue;
    }
    graph.ops.splice(graph.ops.indexOf(op), 1);
    replaceUses(graph, op.output, first.output);
    graph.tensors.delete(op.output);
  }
}

/** The op producing `tensorId`, when that tensor feeds only `consumer` and is not the graph output. */
function soleProducer(graph: ExportGraph, tensorId: number): ExportOp | undefined {
  if (tensorId === graph.output) return undefined;
  if (consumers(graph, tensorId).length !== 1) return undefined;
  return graph.ops.find((op) => op.output === tensorId);
}

/** Merges `later` into `earlier`: `earlier` now writes `later`'s output tensor. */
function absorb(graph: ExportGraph, earlier: ExportOp, later: ExportOp): void {
  graph.tensors.delete(earlier.output);
  earlier.output = later.output;
  earlier.name = `${earlier.name}+${later.name}`;
  graph.ops.splice(graph.ops.indexOf(later), 1);
}

type WeightedOp = Extract<ExportOp, { kind: 'conv2d' | 'depthwise' | 'dense' }>;

function isLinearWeighted(op: ExportOp | undefined): op is WeightedOp {
  return !!op && (op.kind === 'conv2d' || op.kind === 'depthwise' || op.kind === 'dense') && op.activation === 'linear';
}

/**
 * The ops making a concatenation's inputs, when each is a linear conv / depthwise / dense that feeds only
 * the concatenation (DARTS FactorizedReduce: two strided convs, concatenated, then batch norm and ReLU).
 * A per-channel op after such a concatenation can be applied to each branch instead.
 */
function concatBranches(graph: ExportGraph, concat: ExportOp, channels: number): WeightedOp[] | undefined {
  if (new Set(concat.inputs).size !== concat.inputs.length) return undefined;
  const producers = concat.inputs.map((id) => soleProducer(graph, id));
  if (!producers.every(isLinearWeighted)) return undefined;
  return producers.reduce((n, p) => n + p.bias.length, 0) === channels ? producers : undefined;
}

/** y·scale[c] + shift[c] on `op`'s output channels, channels numbered from `offset`. */
function scaleOutputChannels(op: WeightedOp, scale: Float32Array, shift: Float32Array, offset: number): void {
  const n = op.bias.length;
  // Output channel is the fastest-varying index of the HWIO / HWIM / IO kernel layouts.
  for (let i = 0; i < op.kernel.length; i++) op.kernel[i] *= scale[offset + (i % n)];
  for (let c = 0; c < n; c++) op.bias[c] = op.bias[c] * scale[offset + c] + shift[offset + c];
}

function foldScaleShift(graph: ExportGraph): void {
  for (const bn of [...graph.ops]) {
    if (bn.kind !== 'scaleShift') continue;
    const prev = soleProducer(graph, bn.inputs[0]);
    if (isLinearWeighted(prev)) {
      scaleOutputChannels(prev, bn.scale, bn.shift, 0);
      absorb(graph, prev, bn);
    } else if (prev?.kind === 'concat') {
      const branches = concatBranches(graph, prev, bn.scale.length);
      if (!branches) continue;
      let offset = 0;
      for (const b of branches) {
        scaleOutputChannels(b, bn.scale, bn.shift, offset);
        offset += b.bias.length;
      }
      absorb(graph, prev, bn);
    }
  }
}

function fuseRelu(graph: ExportGraph): void {
  for (const relu of [...graph.ops]) {
    if (relu.kind !== 'relu') continue;
    const prev = soleProducer(graph, relu.inputs[0]);
    if (prev?.kind === 'concat') {
      // relu(concat(a, b)) = concat(relu(a), relu(b))
      const branches = concatBranches(graph, prev, graph.tensors.get(prev.output)!.shape.at(-1)!);
      if (!branches) continue;
      for (const b of branches) b.activation = 'relu';
      absorb(graph, prev, relu);
      continue;
    }
    if (!prev || !('activation' in prev) || prev.activation !== 'linear') continue;
    prev.activation = 'relu';
    absorb(graph, prev, relu);
  }
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** TF's SAME padding for one spatial axis: [before, after], the extra cell going after. */
export function samePads(inSize: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
