/**
 * A genotype → a stock tf.layers model (the retrained network), from the small layer vocabulary every
 * exporter knows (see the team brief): conv2d, depthwiseConv2d, separableConv2d, batchNormalization, activation('relu'),
 * add, concatenate, max/averagePooling2d, globalAveragePooling2d, dense, zeroPadding2d, cropping2D, reshape.
 * The skeleton is the supernet's (space/macro.ts), so a searched cell is retrained in the frame it was
 * searched in. Ops follow quark0/darts operations.py and NAS-Bench-201's cell_operations.py.
 * HAR windows are images of height 1 ([1, T, C]): every kernel, pool and stride acts along T only.
 */
import * as tf from '@tensorflow/tfjs';
import { registerDilatedConvGradients } from '../backend/dilated-conv-gradients.js';
import { validateGenotype } from '../space/genotype.js';
import { planDartsMacro, planNb201Macro, type MacroOptions } from '../space/macro.js';
import { getSpace } from '../space/spaces.js';
import { DARTS_PRIMITIVES, HAR_PRIMITIVES, type ChainGenotype, type DartsCellGenotype, type DartsGenotype, type Genotype, type Nb201Genotype } from '../space/space.types.js';
import type { Task, TaskKind } from '../tasks/task.types.js';

type Sym = tf.SymbolicTensor;
type Pair = [number, number];

export interface DerivedModelOptions extends MacroOptions {
  /** Dropout rate before the classifier (0 or unset: no Dropout layer; exporters treat it as identity). */
  dropout?: number;
  /** Seeds every kernel initializer (layer by layer), so the same genotype, options and seed build the same weights. */
  seed?: number;
}

/** Op names of every space, reduced to a kind and a kernel size: "sep_conv_3x3" and "sep_conv_3" alike. */
interface OpSpec {
  kind: 'sep_conv' | 'dil_conv' | 'conv' | 'max_pool' | 'avg_pool' | 'skip' | 'none';
  k: number;
}

function parseOp(op: string): OpSpec {
  if (op === 'none') return { kind: 'none', k: 0 };
  if (op === 'skip_connect') return { kind: 'skip', k: 0 };
  const conv = /^(sep_conv|dil_conv|nor_conv|conv)_(\d+)(?:x(\d+))?$/.exec(op);
  if (conv && (conv[3] === undefined || conv[3] === conv[2])) {
    return { kind: conv[1] === 'nor_conv' ? 'conv' : (conv[1] as OpSpec['kind']), k: Number(conv[2]) };
  }
  const pool = /^(max|avg)_pool_3(?:x3)?$/.exec(op);
  if (pool) return { kind: pool[1] === 'max' ? 'max_pool' : 'avg_pool', k: 3 };
  throw new Error(`Derived model: no stock-layer builder for op "${op}" (src-main/engine/derive/build-derived-model.ts)`);
}

/**
 * Whether a task's derived model carries BatchNorm. Denoisers do not, as EDSR (Lim et al. 2017) drops it for
 * image restoration: at the quick budget the searched cells (a BN after most ops) scored 0.04-0.12 dB more
 * without it (docs/presets.md). The supernet keeps its affine-free BN, which keeps the mixed ops' outputs on
 * one scale for the alphas. Latency tables follow this rule so ops are timed as they are built.
 */
export function derivedBatchNorm(task: TaskKind): boolean {
  return task !== 'denoising';
}

/** Layer factory: one place for geometry (2-D or height-1 windows) and for readable, unique names. */
export class Layers {
  private readonly used = new Set<string>();
  private initCount = 0;

  /**
   * @param normalize false drops every BatchNorm and gives each conv a bias instead (derivedBatchNorm).
   */
  constructor(
    private readonly har: boolean,
    private readonly seed?: number,
    private readonly normalize = true,
  ) {}

  /** Glorot uniform (the tf.layers default), seeded per layer when the model has a seed. */
  init(): ReturnType<typeof tf.initializers.glorotUniform> | undefined {
    if (this.seed === undefined) return undefined;
    return tf.initializers.glorotUniform({ seed: this.seed * 7919 + this.initCount++ });
  }

  kernel(k: number): Pair {
    return this.har ? [1, k] : [k, k];
  }

  stride(s: number): Pair {
    return this.har ? [1, s] : [s, s];
  }

  private name(name: string): string {
    if (this.used.has(name)) throw new Error(`Derived model: layer name "${name}" used twice (a bug in build-derived-model.ts)`);
    this.used.add(name);
    return name;
  }

  relu(x: Sym, name: string): Sym {
    return tf.layers.activation({ activation: 'relu', name: this.name(name) }).apply(x) as Sym;
  }

  bn(x: Sym, name: string): Sym {
    if (!this.normalize) return x;
    // PyTorch's BatchNorm2d defaults (momentum 0.1 of the new value, eps 1e-5), as in the papers' code.
    return tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: this.name(name) }).apply(x) as Sym;
  }

  conv(x: Sym, filters: number, k: number, stride: number, name: string, opts: { dilation?: number; useBias?: boolean; zeroInit?: boolean } = {}): Sym {
    return tf.layers
      .conv2d({
        filters,
        kernelSize: this.kernel(k),
        strides: this.stride(stride),
        padding: 'same',
        dilationRate: opts.dilation ?? 1,
        useBias: opts.useBias ?? !this.normalize,
        kernelInitializer: opts.zeroInit ? 'zeros' : this.init(),
        name: this.name(name),
      })
      .apply(x) as Sym;
  }

  depthwise(x: Sym, k: number, stride: number, name: string): Sym {
    return tf.layers
      .depthwiseConv2d({ kernelSize: this.kernel(k), strides: this.stride(stride), padding: 'same', useBias: false, depthwiseInitializer: this.init(), name: this.name(name) })
      .apply(x) as Sym;
  }

  /** Depthwise k×k (dilated) then 1×1 to `filters`: stock tfjs's SeparableConv2D honours dilation, DepthwiseConv2D does not. */
  separable(x: Sym, filters: number, k: number, dilation: number, name: string): Sym {
    return tf.layers
      .separableConv2d({
        filters,
        kernelSize: this.kernel(k),
        padding: 'same',
        dilationRate: this.har ? [1, dilation] : dilation,
        useBias: !this.normalize,
        depthwiseInitializer: this.init(),
        pointwiseInitializer: this.init(),
        name: this.name(name),
      })
      .apply(x) as Sym;
  }

  pool(x: Sym, kind: 'max' | 'avg', size: number, stride: number, name: string): Sym {
    const config = { poolSize: this.kernel(size), strides: this.stride(stride), padding: 'same' as const, name: this.name(name) };
    return (kind === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config)).apply(x) as Sym;
  }

  add(xs: Sym[], name: string): Sym {
    if (xs.length === 1) return xs[0];
    // tfjs-layers' executor frees a tensor that one Add receives twice (an NB201 node fed by two skips of
    // the same input) before its other consumers run: each repeat goes through a reshape of its own first.
    const distinct = xs.map((x, i) => (xs.indexOf(x) === i ? x : (tf.layers.reshape({ targetShape: x.shape.slice(1) as number[], name: this.name(`${name}_repeat${i}`) }).apply(x) as Sym)));
    return tf.layers.add({ name: this.name(name) }).apply(distinct) as Sym;
  }

  concat(xs: Sym[], name: string): Sym {
    return xs.length === 1 ? xs[0] : (tf.layers.concatenate({ axis: -1, name: this.name(name) }).apply(xs) as Sym);
  }

  /** Shift by one pixel (one step in time for HAR): drop the first row/column, pad one at the end. */
  shift(x: Sym, name: string): Sym {
    const crop: [Pair, Pair] = this.har ? [[0, 0], [1, 0]] : [[1, 0], [1, 0]];
    const pad: [Pair, Pair] = this.har ? [[0, 0], [0, 1]] : [[0, 1], [0, 1]];
    const cropped = tf.layers.cropping2D({ cropping: crop, name: this.name(`${name}_crop`) }).apply(x) as Sym;
    return tf.layers.zeroPadding2d({ padding: pad, name: this.name(`${name}_pad`) }).apply(cropped) as Sym;
  }

  /** x[::2, ::2] (x[:, ::2] for HAR): a 1×1 max pool with stride 2. */
  subsample(x: Sym, name: string): Sym {
    return this.pool(x, 'max', 1, 2, name);
  }
}

/** DARTS FactorizedReduce: ReLU, two stride-2 1×1 convs (on x and on x shifted by a pixel), concat, BN. */
export function factorizedReduce(L: Layers, x: Sym, cOut: number, name: string): Sym {
  const r = L.relu(x, `${name}_relu`);
  const half = Math.floor(cOut / 2);
  const a = L.conv(r, half, 1, 2, `${name}_conv1`);
  const b = L.conv(L.shift(r, `${name}_shift`), cOut - half, 1, 2, `${name}_conv2`);
  return L.bn(L.concat([a, b], `${name}_concat`), `${name}_bn`);
}

export function reluConvBn(L: Layers, x: Sym, cOut: number, k: number, stride: number, name: string): Sym {
  return L.bn(L.conv(L.relu(x, `${name}_relu`), cOut, k, stride, `${name}_conv`), `${name}_bn`);
}

/** One candidate op on C channels; null for "none" (a zero contribution). */
export function applyOp(L: Layers, x: Sym, op: string, c: number, stride: number, name: string): Sym | null {
  const spec = parseOp(op);
  switch (spec.kind) {
    case 'none':
      return null;
    case 'skip':
      return stride === 1 ? x : factorizedReduce(L, x, c, name);
    case 'max_pool':
      return L.pool(x, 'max', spec.k, stride, `${name}_pool`);
    case 'avg_pool':
      return L.pool(x, 'avg', spec.k, stride, `${name}_pool`);
    case 'conv':
      return reluConvBn(L, x, c, spec.k, stride, name);
    case 'sep_conv': {
      let y = x;
      for (const i of [1, 2]) {
        y = L.relu(y, `${name}_relu${i}`);
        y = L.depthwise(y, spec.k, i === 1 ? stride : 1, `${name}_dw${i}`);
        y = L.conv(y, c, 1, 1, `${name}_pw${i}`);
        y = L.bn(y, `${name}_bn${i}`);
      }
      return y;
    }
    case 'dil_conv': {
      const y = L.relu(x, `${name}_relu`);
      // tfjs refuses stride > 1 with dilation > 1: a stride-2 dilation-2 conv equals an undilated conv of x[::2, ::2].
      if (stride === 1) return L.bn(L.separable(y, c, spec.k, 2, `${name}_sep`), `${name}_bn`);
      const dw = L.depthwise(L.subsample(y, `${name}_subsample`), spec.k, 1, `${name}_dw`);
      return L.bn(L.conv(dw, c, 1, 1, `${name}_pw`), `${name}_bn`);
    }
  }
}

function dartsCell(L: Layers, s0: Sym, s1: Sym, cell: DartsCellGenotype, c: number, reduce: boolean, reductionPrev: boolean, p: string): Sym {
  const states = [
    reductionPrev ? factorizedReduce(L, s0, c, `${p}_pre0`) : reluConvBn(L, s0, c, 1, 1, `${p}_pre0`),
    reluConvBn(L, s1, c, 1, 1, `${p}_pre1`),
  ];
  for (let k = 0; k < cell.ops.length / 2; k++) {
    const node = k + 2;
    const inputs = [0, 1].map((e) => {
      const [op, from] = cell.ops[2 * k + e];
      const stride = reduce && from < 2 ? 2 : 1;
      const y = applyOp(L, states[from], op, c, stride, `${p}_node${node}_edge${e}_${op}`);
      if (!y) throw new Error(`Derived model: "none" chosen for node ${node} of a DARTS cell`);
      return y;
    });
    states.push(L.add(inputs, `${p}_node${node}_add`));
  }
  return L.concat(
    cell.concat.map((i) => states[i]),
    `${p}_concat`,
  );
}

function buildDarts(L: Layers, x: Sym, g: DartsGenotype, options: DerivedModelOptions): Sym {
  if (g.normal.concat.length !== g.reduce.concat.length) {
    throw new Error('Derived model: normal_concat and reduce_concat must have the same length (the macro plan shares one multiplier)');
  }
  const plan = planDartsMacro({ ...options, nodes: g.normal.concat.length });
  const stem = L.bn(L.conv(x, plan.stemChannels, 3, plan.stemStride, 'stem_conv'), 'stem_bn');
  let s0 = stem;
  let s1 = stem;
  for (const cell of plan.cells) {
    const reduce = cell.type === 'reduce';
    const out = dartsCell(L, s0, s1, reduce ? g.reduce : g.normal, cell.c, reduce, cell.reductionPrev, `cell${cell.index}`);
    s0 = s1;
    s1 = out;
  }
  return s1;
}

function nb201Cell(L: Layers, x: Sym, g: Nb201Genotype, c: number, p: string): Sym {
  // A node all of whose inputs are "none" is zero: it is left out of later sums.
  const states: (Sym | null)[] = [x];
  g.nodes.forEach((edges, j) => {
    const node = j + 1;
    const parts: Sym[] = [];
    edges.forEach(([op, from], e) => {
      const input = states[from];
      if (!input) return;
      const y = applyOp(L, input, op, c, 1, `${p}_node${node}_edge${e}_${op}`);
      if (y) parts.push(y);
    });
    states.push(parts.length === 0 ? null : L.add(parts, `${p}_node${node}_add`));
  });
  const out = states[states.length - 1];
  if (!out) throw new Error('Derived model: this NB201 genotype connects nothing to the cell output (every path contains "none")');
  return out;
}

/** NB201 ResNet basic block with stride 2: ReLU-Conv3×3(s2)-BN, ReLU-Conv3×3-BN, plus AvgPool2-Conv1×1 shortcut. */
export function resReduceBlock(L: Layers, x: Sym, cOut: number, p: string): Sym {
  const a = reluConvBn(L, x, cOut, 3, 2, `${p}_conv_a`);
  const b = reluConvBn(L, a, cOut, 3, 1, `${p}_conv_b`);
  const short = L.conv(L.pool(x, 'avg', 2, 2, `${p}_shortcut_pool`), cOut, 1, 1, `${p}_shortcut_conv`);
  return L.add([short, b], `${p}_add`);
}

function buildNb201(L: Layers, x: Sym, g: Nb201Genotype, options: DerivedModelOptions): Sym {
  const plan = planNb201Macro(options);
  let y = L.bn(L.conv(x, plan.stemChannels, 3, plan.stemStride, 'stem_conv'), 'stem_bn');
  for (const cell of plan.cells) {
    const p = `cell${cell.index}`;
    y = cell.type === 'reduce' ? resReduceBlock(L, y, cell.c, p) : nb201Cell(L, y, g, cell.c, p);
  }
  // NB201's lastact before the pooling.
  return L.relu(L.bn(y, 'lastact_bn'), 'lastact_relu');
}

/** MobileNetV2 inverted residual: [1×1 expand-BN-ReLU], k×k depthwise-BN-ReLU, 1×1 project-BN, residual add. */
export function invertedResidual(L: Layers, x: Sym, cIn: number, cOut: number, k: number, expand: number, stride: number, p: string): Sym {
  let y = x;
  if (expand !== 1) y = L.relu(L.bn(L.conv(y, cIn * expand, 1, 1, `${p}_expand`), `${p}_expand_bn`), `${p}_expand_relu`);
  y = L.relu(L.bn(L.depthwise(y, k, stride, `${p}_dw`), `${p}_dw_bn`), `${p}_dw_relu`);
  y = L.bn(L.conv(y, cOut, 1, 1, `${p}_project`), `${p}_project_bn`);
  return stride === 1 && cIn === cOut ? L.add([x, y], `${p}_add`) : y;
}

/**
 * Chain: stem Conv3×3-BN-ReLU to `channels`, one block per genotype entry; with reductions, the blocks at
 * 1/3 and 2/3 of the depth have stride 2 and double the channels. "skip" is the identity, or a strided
 * 1×1 conv + BN where the shape changes. `cells`, `nodes` and `stemMultiplier` do not apply.
 */
function buildChain(L: Layers, x: Sym, g: ChainGenotype, options: DerivedModelOptions): Sym {
  let c = options.channels;
  let y = L.relu(L.bn(L.conv(x, c, 3, options.stemStride, 'stem_conv'), 'stem_bn'), 'stem_relu');
  const n = g.blocks.length;
  const reduceAt = options.reductions ? new Set([Math.floor(n / 3), Math.floor((2 * n) / 3)]) : new Set<number>();
  g.blocks.forEach((op, b) => {
    const stride = reduceAt.has(b) && b > 0 ? 2 : 1;
    const cOut = stride === 2 ? c * 2 : c;
    const p = `block${b}_${op}`;
    if (op === 'skip') {
      if (stride !== 1 || cOut !== c) y = L.bn(L.conv(y, cOut, 1, stride, `${p}_proj`), `${p}_proj_bn`);
    } else {
      const m = /^ir_k(\d+)_e(\d+)$/.exec(op);
      if (!m) throw new Error(`Derived model: chain block ${b} "${op}" is not ir_k<k>_e<e> or skip`);
      y = invertedResidual(L, y, c, cOut, Number(m[1]), Number(m[2]), stride, p);
    }
    c = cOut;
  });
  return y;
}

function checkGenotype(g: Genotype): void {
  if (g.format === 'darts') {
    if (g.normal.ops.length % 2 !== 0 || g.normal.ops.length === 0) throw new Error(`Invalid genotype: normal has ${g.normal.ops.length} (op, input) pairs; a DARTS cell has 2 per node`);
    // The builder takes both the 2-D and the 1-D vocabulary in either geometry.
    const space = getSpace('darts', { nodes: g.normal.ops.length / 2 });
    validateGenotype(g, { ...space, primitives: [...new Set<string>([...DARTS_PRIMITIVES, ...HAR_PRIMITIVES])] });
  } else if (g.format === 'nb201') {
    validateGenotype(g, getSpace('nb201'));
  } else {
    validateGenotype(g, getSpace('chain', { blocks: Math.max(1, g.blocks.length) }));
  }
}

/** The retrainable network of a genotype for a task: stem, cells or blocks from the macro plan, then the task's head. */
export function buildDerivedModel(genotype: Genotype, task: Task, options: DerivedModelOptions): tf.LayersModel {
  checkGenotype(genotype);
  // Training-only: tfjs has no gradient for dilated convolutions. What the model computes stays stock.
  registerDilatedConvGradients();
  const denoise = task.kind === 'denoising';
  const har = task.kind === 'har' || task.dims === 1;
  if (denoise && options.stemStride !== 1) throw new Error('Derived model: denoising keeps the resolution, so stemStride must be 1');
  const macro: DerivedModelOptions = { ...options, reductions: denoise ? false : options.reductions };
  const L = new Layers(har, options.seed, derivedBatchNorm(task.kind));

  const input = tf.input({ shape: task.inputShape, name: 'input' });
  // A [T, C] window becomes the [1, T, C] image every HAR model works on.
  const x = har && task.inputShape.length === 2 ? (tf.layers.reshape({ targetShape: [1, ...task.inputShape], name: 'input_reshape' }).apply(input) as Sym) : input;

  let features: Sym;
  if (genotype.format === 'darts') features = buildDarts(L, x, genotype, macro);
  else if (genotype.format === 'nb201') features = buildNb201(L, x, genotype, macro);
  else features = buildChain(L, x, genotype, macro);

  let output: Sym;
  if (denoise) {
    const channels = task.inputShape[task.inputShape.length - 1];
    // Zero-initialised: the denoiser starts as the identity (output = noisy input) and learns the correction.
    const residual = L.conv(L.relu(features, 'head_relu'), channels, 3, 1, 'head_residual', { useBias: true, zeroInit: true });
    output = L.add([x, residual], 'output');
  } else {
    let y = tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(features) as Sym;
    if (options.dropout && options.dropout > 0) y = tf.layers.dropout({ rate: options.dropout, name: 'head_dropout' }).apply(y) as Sym;
    output = tf.layers.dense({ units: task.numClasses, kernelInitializer: L.init(), name: 'head_logits' }).apply(y) as Sym;
  }
  return tf.model({ inputs: input, outputs: output, name: `derived_${genotype.format}` });
}

/** Parameters as the literature counts them: trainable weights only (BN moving statistics are buffers); `all` adds them. */
export function countParams(model: tf.LayersModel, which: 'trainable' | 'all' = 'trainable'): number {
  const weights = which === 'all' ? model.weights : model.trainableWeights;
  return weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
