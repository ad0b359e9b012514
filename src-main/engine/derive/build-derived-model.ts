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
import { Layers, type Sym } from '../ops/derived-layers.js';
import { factorizedReduce, reluConvBn } from '../ops/derived-ops.js';
import { DARTS_TABLE, derivedFor } from '../ops/registry.js';
import { validateGenotype } from '../space/genotype.js';
import { planDartsMacro, planNb201Macro, type MacroOptions } from '../space/macro.js';
import { getSpace } from '../space/spaces.js';
import { DARTS_PRIMITIVES, HAR_PRIMITIVES, type ChainGenotype, type DartsCellGenotype, type DartsGenotype, type Genotype, type Nb201Genotype, type SpaceName } from '../space/space.types.js';
import type { Task, TaskKind } from '../tasks/task.types.js';

// The layer factory and the ops' derived forms live with the ops (engine/ops): re-exported for their users here.
export { Layers } from '../ops/derived-layers.js';
export { factorizedReduce, reluConvBn } from '../ops/derived-ops.js';

export interface DerivedModelOptions extends MacroOptions {
  /** Dropout rate before the classifier (0 or unset: no Dropout layer; exporters treat it as identity). */
  dropout?: number;
  /** Seeds every kernel initializer (layer by layer), so the same genotype, options and seed build the same weights. */
  seed?: number;
}

/**
 * Whether a task's derived model carries BatchNorm. Denoisers do not, as EDSR (Lim et al. 2017) drops it for
 * image restoration (measured better without, docs/presets.md); latency tables follow this rule.
 */
export function derivedBatchNorm(task: TaskKind): boolean {
  return task !== 'denoising';
}

/**
 * One candidate op on C channels, from the space's op table (its derived form); null for "none". A
 * DARTS-format cell may hold the 1-D vocabulary (HAR), looked up in the HAR table.
 */
export function applyOp(L: Layers, x: Sym, op: string, c: number, stride: number, name: string, space: SpaceName = 'darts'): Sym | null {
  const table = space === 'darts' && !(op in DARTS_TABLE) ? 'har1d' : space;
  return derivedFor(table, op)(L, x, c, c, stride, name);
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
      const y = applyOp(L, input, op, c, 1, `${p}_node${node}_edge${e}_${op}`, 'nb201');
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
