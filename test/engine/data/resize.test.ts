import { describe, expect, it } from 'vitest';
import { resizeImage } from '../../../src-main/engine/data/resize.js';

const round = (a: Float32Array) => [...a].map((v) => +v.toFixed(4));

describe('resizeImage', () => {
  it('averages areas when shrinking, so a thin line survives', () => {
    // 4×4 gray, one bright column at x = 1: halving gives 0.5 in the left column of the result.
    const src = new Float32Array(16);
    for (let y = 0; y < 4; y++) src[y * 4 + 1] = 1;
    expect(round(resizeImage(src, 4, 4, 1, 2, 2))).toEqual([0.5, 0, 0.5, 0]);
  });

  it('averages over non-integer areas and keeps the mean', () => {
    const src = Float32Array.from({ length: 9 }, (_, i) => i / 8);
    const out = resizeImage(src, 3, 3, 1, 2, 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(src), 5);
    // The top-left output covers source rows/cols [0, 1.5): weights 2/3 and 1/3.
    const expected = ((2 / 3) * (2 / 3) * 0 + (2 / 3) * (1 / 3) * (1 / 8) + (1 / 3) * (2 / 3) * (3 / 8) + (1 / 3) * (1 / 3) * (4 / 8));
    expect(out[0]).toBeCloseTo(expected, 5);
  });

  it('interpolates bilinearly with half-pixel centres when enlarging, per channel', () => {
    // 1×2 RGB: black then white in R only → 1×4: 0, 0.25, 0.75, 1 in R.
    const src = Float32Array.of(0, 0.5, 0, 1, 0.5, 0);
    const out = resizeImage(src, 1, 2, 3, 1, 4);
    expect(round(out)).toEqual([0, 0.5, 0, 0.25, 0.5, 0, 0.75, 0.5, 0, 1, 0.5, 0]);
  });

  it('returns the input unchanged when the size matches', () => {
    const src = new Float32Array(4);
    expect(resizeImage(src, 2, 2, 1, 2, 2)).toBe(src);
  });
});
