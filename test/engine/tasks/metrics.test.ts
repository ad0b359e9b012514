import { describe, expect, it } from 'vitest';
import { accuracy, argmaxRows, confusionMatrix, macroF1, meanPsnr, meanSsim, psnr, ssim } from '../../../src-main/engine/tasks/metrics.js';

describe('classification metrics', () => {
  const truth = [0, 0, 1, 1, 2, 2];
  const pred = [0, 1, 1, 1, 2, 0];

  it('accuracy counts exact matches', () => {
    expect(accuracy(truth, pred)).toBeCloseTo(4 / 6, 12);
    expect(() => accuracy([0], [0, 1])).toThrow(/2 predictions for 1 targets/);
  });

  it('confusion matrix has true classes as rows', () => {
    expect(confusionMatrix(truth, pred, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(() => confusionMatrix([3], [0], 3)).toThrow(/class 3 outside 0..2/);
  });

  it('macro-F1 averages per-class F1', () => {
    // class 0: tp 1, 2 true, 2 predicted → 0.5; class 1: tp 2, 2 true, 3 predicted → 0.8; class 2: tp 1, 2 true, 1 predicted → 2/3
    expect(macroF1(truth, pred, 3)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(macroF1(confusionMatrix(truth, pred, 3))).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(macroF1(truth, truth, 3)).toBe(1);
    // class 3 never occurs: left out rather than counted as 0
    expect(macroF1(truth, truth, 4)).toBe(1);
  });

  it('argmaxRows picks the largest score per row', () => {
    expect([...argmaxRows(new Float32Array([0.1, 0.7, 0.2, 3, -1, 2]), 3)]).toEqual([1, 0]);
  });
});

describe('PSNR', () => {
  it('is 10·log10(1/MSE) per image, averaged', () => {
    // image 1: MSE 0.01 → 20 dB; image 2: MSE 0.0001 → 40 dB
    const a = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    const b = new Float32Array([0.6, 0.4, 0.51, 0.49]);
    expect(psnr(a, b, 2)).toBeCloseTo(30, 4);
    expect(psnr(a, a, 2)).toBeCloseTo(100, 6);
    expect(meanPsnr(a, b, [1, 2, 1])).toBeCloseTo(30, 4);
    expect(() => meanPsnr(a, b, [3, 1, 1])).toThrow(/not a whole number/);
  });
});

describe('SSIM', () => {
  const H = 16, W = 14;
  const a = new Float32Array(H * W);
  const b = new Float32Array(H * W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      a[y * W + x] = ((7 * y + 3 * x) % 13) / 12;
      b[y * W + x] = Math.min(1, Math.max(0, a[y * W + x] + 0.1 * Math.sin(x * y)));
    }

  it('is 1 for identical images', () => {
    expect(ssim(a, a, [1, H, W, 1])).toBeCloseTo(1, 10);
  });

  it('reduces to the luminance term for two constant images', () => {
    // no variance: SSIM = (2·μa·μb + C1) / (μa² + μb² + C1)
    const c1 = 0.01 ** 2;
    const expected = (2 * 0.2 * 0.6 + c1) / (0.04 + 0.36 + c1);
    expect(ssim(new Float32Array(144).fill(0.2), new Float32Array(144).fill(0.6), [1, 12, 12, 1])).toBeCloseTo(expected, 6);
  });

  it('matches an independent numpy/scipy evaluation of Wang et al.’s formula', () => {
    // reference: scipy.signal.correlate2d(mode="valid") with the normalised 11×11 Gaussian (σ 1.5)
    expect(ssim(a, b, [1, H, W, 1])).toBeCloseTo(0.975638716898962, 5);
    expect(psnr(a, b, 1)).toBeCloseTo(23.69563797503477, 3);
  });

  it('averages over channels: channel 2 identical, channel 1 the pair above', () => {
    const ab = new Float32Array(H * W * 2);
    const aa = new Float32Array(H * W * 2);
    for (let p = 0; p < H * W; p++) {
      ab[2 * p] = b[p];
      aa[2 * p] = a[p];
      ab[2 * p + 1] = aa[2 * p + 1] = a[p];
    }
    expect(ssim(aa, ab, [1, H, W, 2])).toBeCloseTo((0.975638716898962 + 1) / 2, 5);
    expect(meanSsim(aa, ab, [H, W, 2])).toBeCloseTo((0.975638716898962 + 1) / 2, 5);
  });
});
