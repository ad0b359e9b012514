/**
 * The fixed baselines every result stands beside (DESIGN.md): one well-known architecture per task, its
 * width chosen so that its trainable parameters are nearest the searched model's, then trained with the
 * same budget (baseline-compare.ts). Stock tf.layers only, through the derived model's Layers helper, so
 * the BatchNorm settings, the 1×k geometry of HAR windows and the seeded initialisers are the searched
 * model's own.
 *   classification: a MobileNet-style CNN (Howard et al. 2017, MobileNetV1 scaled down): conv3×3 stride 2 +
 *     BN + ReLU, five depthwise-separable blocks (depthwise 3×3 + BN + ReLU, pointwise 1×1 + BN + ReLU) of
 *     2w, 4w, 4w, 8w, 8w channels with stride 2 at the second and fourth, global average pool, dense.
 *   har: a 1-D CNN (the usual sensor-window baseline): three blocks of conv 1×5 + BN + ReLU of w, 2w, 4w
 *     channels, max pool 1×2 after the first two, global average pool, dense.
 *   denoising: the DnCNN-style network of tasks/baseline-denoiser.ts.
 * docs/baselines.md says why these and how they are sized.
 */
import * as tf from '@tensorflow/tfjs';
import { BASELINE_DEFAULT_DEPTH, baselineWidthForParams, buildBaselineDenoiser } from '../tasks/baseline-denoiser.js';
import type { Task } from '../tasks/task.types.js';
import { Layers } from '../ops/derived-layers.js';

type Sym = tf.SymbolicTensor;

/** Depthwise-separable blocks after the stem: output channels as multiples of the width, and stride. */
const MOBILENET_BLOCKS = [
  { widths: 2, stride: 1 },
  { widths: 4, stride: 2 },
  { widths: 4, stride: 1 },
  { widths: 8, stride: 2 },
  { widths: 8, stride: 1 },
] as const;

/** Conv blocks of the 1-D CNN: output channels as multiples of the width; a 1×2 max pool after all but the last. */
const CNN1D_BLOCKS = [1, 2, 4] as const;
export const CNN1D_KERNEL = 5;

/**
 * Widths go in eighths (MobileNet's width multiplier, finely): a layer of m widths has round(m × width)
 * channels, at least 1. Whole widths left the count up to 8 % from a 20k target; in eighths it stays within 1.5 %
 * of any target from 10k up and 3 % from 3k up (1k-500k scanned, images and HAR windows).
 */
export const WIDTH_STEP = 1 / 8;
/** Widths tried: a model wider than this is far beyond any on-device search. */
const MAX_WIDTH = 4096;

const channelsOf = (widths: number, width: number) => Math.max(1, Math.round(widths * width));

/** Channels of the stem and of each block's pointwise conv. */
export function mobileNetChannels(width: number): number[] {
  return [channelsOf(1, width), ...MOBILENET_BLOCKS.map((b) => channelsOf(b.widths, width))];
}

/** Channels of each conv block. */
export function cnn1dChannels(width: number): number[] {
  return CNN1D_BLOCKS.map((widths) => channelsOf(widths, width));
}

/** Trainable parameters of the MobileNet-style CNN (BN: scale and offset; convs without bias; dense with bias). */
export function mobileNetParams(width: number, inChannels: number, classes: number): number {
  const [stem, ...blocks] = mobileNetChannels(width);
  let c = stem;
  let total = 9 * inChannels * stem + 2 * stem;
  for (const out of blocks) {
    total += 9 * c + 2 * c + c * out + 2 * out;
    c = out;
  }
  return total + c * classes + classes;
}

/** Trainable parameters of the 1-D CNN. */
export function cnn1dParams(width: number, inChannels: number, classes: number): number {
  let c = inChannels;
  let total = 0;
  for (const out of cnn1dChannels(width)) {
    total += CNN1D_KERNEL * c * out + 2 * out;
    c = out;
  }
  return total + c * classes + classes;
}

/**
 * The width (a multiple of WIDTH_STEP) whose parameter count is nearest the target; `count` must not
 * fall as the width grows. A tie goes to the narrower; a target below the smallest model gets the smallest.
 */
export function nearestWidth(count: (width: number) => number, targetParams: number): number {
  let k = 1;
  while (k * WIDTH_STEP < MAX_WIDTH && count((k + 1) * WIDTH_STEP) <= targetParams) k++;
  const [narrow, wide] = [k * WIDTH_STEP, (k + 1) * WIDTH_STEP];
  return wide <= MAX_WIDTH && Math.abs(count(wide) - targetParams) < Math.abs(count(narrow) - targetParams) ? wide : narrow;
}

export interface BaselineArchitecture {
  /** Stable and readable, for result.json and the results view. */
  name: string;
  /** The width the channels are multiples of (see WIDTH_STEP); the DnCNN's is its whole channel count. */
  width: number;
}

const range = (channels: number[]) => `${channels[0]}–${channels[channels.length - 1]} channels`;

/** Which fixed architecture a task gets, and its width for a parameter target. */
export function baselineArchitecture(task: Pick<Task, 'kind' | 'inputShape' | 'numClasses'>, targetParams: number): BaselineArchitecture {
  const inChannels = task.inputShape[task.inputShape.length - 1];
  switch (task.kind) {
    case 'classification': {
      const width = nearestWidth((w) => mobileNetParams(w, inChannels, task.numClasses), targetParams);
      return { name: `MobileNet-style CNN (depthwise-separable, ${range(mobileNetChannels(width))})`, width };
    }
    case 'har': {
      const width = nearestWidth((w) => cnn1dParams(w, inChannels, task.numClasses), targetParams);
      return { name: `1-D CNN (${CNN1D_BLOCKS.length} conv blocks, ${range(cnn1dChannels(width))})`, width };
    }
    case 'denoising': {
      const width = baselineWidthForParams(targetParams, BASELINE_DEFAULT_DEPTH, inChannels);
      return { name: `DnCNN-style CNN (${BASELINE_DEFAULT_DEPTH} conv layers, ${width} channels)`, width };
    }
  }
}

/** GAP and a dense layer of logits: the derived classifiers' head (without their optional dropout). */
function classifierHead(L: Layers, input: Sym, features: Sym, numClasses: number, name: string): tf.LayersModel {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(features) as Sym;
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: L.init(), name: 'head_logits' }).apply(pooled) as Sym;
  return tf.model({ inputs: input, outputs: logits, name });
}

export interface BaselineClassifierOptions {
  /** [H, W, C] of an image; [1, T, C] (or [T, C]) of a sensor window. */
  inputShape: number[];
  numClasses: number;
  /** Channels are multiples of it, rounded (see WIDTH_STEP). */
  width: number;
  /** Seeds every initialiser, layer by layer, as the derived model's seed does. */
  seed?: number;
}

export function buildMobileNetBaseline(options: BaselineClassifierOptions): tf.LayersModel {
  const { inputShape, width } = options;
  if (inputShape.length !== 3) throw new Error(`MobileNet-style baseline: inputShape must be [H, W, C], got [${inputShape.join(', ')}]`);
  const L = new Layers(false, options.seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  const [stem, ...blocks] = mobileNetChannels(width);
  let y = L.relu(L.bn(L.conv(input, stem, 3, 2, 'stem_conv'), 'stem_bn'), 'stem_relu');
  MOBILENET_BLOCKS.forEach((block, i) => {
    const p = `block${i}`;
    y = L.relu(L.bn(L.depthwise(y, 3, block.stride, `${p}_dw`), `${p}_dw_bn`), `${p}_dw_relu`);
    y = L.relu(L.bn(L.conv(y, blocks[i], 1, 1, `${p}_pw`), `${p}_pw_bn`), `${p}_pw_relu`);
  });
  return classifierHead(L, input, y, options.numClasses, `mobilenet_baseline_${mobileNetChannels(width).join('_')}`);
}

export function buildCnn1dBaseline(options: BaselineClassifierOptions): tf.LayersModel {
  const { inputShape, width } = options;
  if (inputShape.length === 3 ? inputShape[0] !== 1 : inputShape.length !== 2)
    throw new Error(`1-D CNN baseline: inputShape must be [1, T, C] or [T, C], got [${inputShape.join(', ')}]`);
  const L = new Layers(true, options.seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  // A [T, C] window becomes the [1, T, C] image every HAR model works on, as in the derived model.
  let y = inputShape.length === 2 ? (tf.layers.reshape({ targetShape: [1, ...inputShape], name: 'input_reshape' }).apply(input) as Sym) : input;
  cnn1dChannels(width).forEach((channels, i) => {
    const p = `block${i}`;
    y = L.relu(L.bn(L.conv(y, channels, CNN1D_KERNEL, 1, `${p}_conv`), `${p}_bn`), `${p}_relu`);
    if (i < CNN1D_BLOCKS.length - 1) y = L.pool(y, 'max', 2, 2, `${p}_pool`);
  });
  return classifierHead(L, input, y, options.numClasses, `cnn1d_baseline_${cnn1dChannels(width).join('_')}`);
}

/** The task's fixed baseline at about `targetParams` trainable parameters. */
export function buildBaselineModel(task: Task, targetParams: number, seed?: number): tf.LayersModel {
  const { width } = baselineArchitecture(task, targetParams);
  switch (task.kind) {
    case 'classification':
      return buildMobileNetBaseline({ inputShape: task.inputShape, numClasses: task.numClasses, width, seed });
    case 'har':
      return buildCnn1dBaseline({ inputShape: task.inputShape, numClasses: task.numClasses, width, seed });
    case 'denoising':
      return buildBaselineDenoiser({ inputShape: task.inputShape, width, seed });
  }
}
