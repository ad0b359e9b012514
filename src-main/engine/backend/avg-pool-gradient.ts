import * as tf from '@tensorflow/tfjs';

/**
 * tfjs 4.22's AvgPool divides each window by the number of input pixels it covers (padding excluded,
 * as TF and PyTorch's count_include_pad=False do), but its gradient (AvgPoolGrad, on every backend)
 * divides by the full window area. With 'same' padding the border gradients are therefore wrong
 * (a 3×3 window at a corner: 4/9 instead of 1/4+1/6+1/6+1/9). DARTS' avg_pool_3x3 is exactly that.
 * This gradient rescales dy by area/count per output position before the stock gradient runs.
 */

const REGISTERED = Symbol.for('nas-studio.backend.avg-pool-gradient');

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** How many taps of each window land inside the input, along one axis. */
function coveredTaps(outSize: number, inSize: number, stride: number, pad: number, filter: number): number[] {
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * stride - pad;
    return Math.min(inSize, start + filter) - Math.max(0, start);
  });
}

/** area / covered pixels per output position, or undefined when every window is whole. */
export function avgPoolBorderScale(xShape: number[], attrs: PoolAttrs): { values: Float32Array; shape: [number, number, number, number] } | undefined {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const rows = coveredTaps(info.outHeight, info.inHeight, info.strideHeight, info.padInfo.top, info.filterHeight);
  const cols = coveredTaps(info.outWidth, info.inWidth, info.strideWidth, info.padInfo.left, info.filterWidth);
  const area = info.filterHeight * info.filterWidth;
  if (rows.every((r) => r === info.filterHeight) && cols.every((c) => c === info.filterWidth)) return undefined;
  const values = new Float32Array(info.outHeight * info.outWidth);
  rows.forEach((r, i) => cols.forEach((c, j) => { values[i * info.outWidth + j] = area / (r * c); }));
  return { values, shape: [1, info.outHeight, info.outWidth, 1] };
}

/** Makes the AvgPool gradient match its forward at padded borders, on every backend (idempotent). */
export function registerAvgPoolGradientFix(): void {
  const marker = globalThis as { [REGISTERED]?: boolean };
  if (marker[REGISTERED]) return;
  const original = tf.getGradient('AvgPool');
  if (original === undefined) throw new Error('tfjs has no AvgPool gradient to correct (src-main/engine/backend/avg-pool-gradient.ts)');
  tf.registerGradient({
    kernelName: 'AvgPool',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const scale = avgPoolBorderScale(x.shape, attrs as unknown as PoolAttrs);
      if (!scale) return original.gradFunc(dy, saved, attrs);
      const scaled = tf.mul(dy as tf.Tensor, tf.tensor4d(scale.values, scale.shape));
      return original.gradFunc(scaled, saved, attrs);
    },
  });
  marker[REGISTERED] = true;
}
