import * as tf from '@tensorflow/tfjs';

/**
 * A fixed DnCNN-style baseline (Zhang et al. 2017, scaled down): conv3×3+ReLU, (depth − 2) ×
 * conv3×3+BN+ReLU, conv3×3 to C channels predicting the noise residual, output = input + residual
 * (tfjs-layers has no subtract, so the residual's sign is learned). Stock tf.layers only, so every
 * exporter handles it. A searched denoiser is compared against it at the same parameter count and
 * training budget.
 */

export interface BaselineDenoiserOptions {
  /** [H, W, C] of one image. */
  inputShape: number[];
  /** Conv layers in all, ≥ 2 (DnCNN-S uses 17; 5 keeps on-device training short). */
  depth?: number;
  /** Feature maps per hidden layer; ignored when targetParams is given. */
  width?: number;
  /** Choose the width whose parameter count (tf countParams, BN statistics included) is nearest this. */
  targetParams?: number;
  /** Seeds the kernel initializers layer by layer, so a run's seed replays the baseline too. */
  seed?: number;
}

export const BASELINE_DEFAULT_DEPTH = 5;
export const BASELINE_DEFAULT_WIDTH = 32;

/** Parameters of the baseline, as model.countParams() counts them (BN's 4 values per channel included). */
export function baselineDenoiserParams(depth: number, width: number, channels: number): number {
  const first = 9 * channels * width + width;
  const middle = (depth - 2) * (9 * width * width + 4 * width);
  const last = 9 * width * channels + channels;
  return first + middle + last;
}

/** The width whose parameter count is nearest the target (at least 1). */
export function baselineWidthForParams(targetParams: number, depth: number, channels: number): number {
  // count(w) = 9(d−2)w² + (18C + 1 + 4(d−2))w + C; solve count(w) = target, then check the neighbours
  const a = 9 * (depth - 2), b = 18 * channels + 1 + 4 * (depth - 2), c = channels - targetParams;
  const w = a === 0 ? -c / b : (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a);
  let best = 1;
  for (const cand of [Math.floor(w), Math.ceil(w)]) {
    if (cand < 1) continue;
    if (Math.abs(baselineDenoiserParams(depth, cand, channels) - targetParams) < Math.abs(baselineDenoiserParams(depth, best, channels) - targetParams)) best = cand;
  }
  return best;
}

export function buildBaselineDenoiser(options: BaselineDenoiserOptions): tf.LayersModel {
  const { inputShape } = options;
  if (inputShape.length !== 3) throw new Error(`baseline denoiser: inputShape must be [H, W, C], got [${inputShape.join(', ')}]`);
  const depth = options.depth ?? BASELINE_DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 2) throw new Error(`baseline denoiser: depth must be an integer ≥ 2, got ${depth}`);
  const channels = inputShape[2];
  const width = options.targetParams !== undefined ? baselineWidthForParams(options.targetParams, depth, channels) : (options.width ?? BASELINE_DEFAULT_WIDTH);
  // Glorot uniform is conv2d's default; seeded like the derived model's Layers.init.
  const init = (layer: number) => (options.seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: options.seed * 7919 + layer }));
  const input = tf.input({ shape: inputShape, name: 'input' });
  let h = tf.layers.conv2d({ filters: width, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: init(0), name: 'conv_0' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.reLU({ name: 'relu_0' }).apply(h) as tf.SymbolicTensor;
  for (let i = 1; i < depth - 1; i++) {
    h = tf.layers.conv2d({ filters: width, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(i), name: `conv_${i}` }).apply(h) as tf.SymbolicTensor;
    // The derived models' BN settings (PyTorch's defaults; derived denoisers have no BN): tfjs's momentum 0.99 left the moving statistics
    // 8 % at their initial values after 250 steps, and the baseline scored below the noisy input.
    h = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `bn_${i}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU({ name: `relu_${i}` }).apply(h) as tf.SymbolicTensor;
  }
  // Zero-initialised, like the searched denoiser: both start as the identity.
  const residual = tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: 'zeros', name: 'residual' }).apply(h) as tf.SymbolicTensor;
  const output = tf.layers.add({ name: 'denoised' }).apply([input, residual]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: `dncnn_baseline_d${depth}_w${width}` });
}
