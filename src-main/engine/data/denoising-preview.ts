import type { ArrayDataset } from './dataset.types.js';
import { DEFAULT_GAUSSIAN_SIGMA } from './noise.js';
import { encodePng, pngDataUrl } from './preview.js';
import { sampleSize } from './split.js';
import { Rng } from '../util/rng.js';

/**
 * Clean/noisy pairs for the wizard: a patch from each of a few images, then the same patch with the
 * Gaussian noise training adds (σ on the 0–255 scale), so the user sees what the model will learn to undo.
 * Real pairs (2 or 6 channels, noisy first) are shown as they are: noisy, then clean.
 */
export function denoisingPreviews(ds: ArrayDataset, pairs: number, seed: number, sigma = DEFAULT_GAUSSIAN_SIGMA, names?: string[]): { label: string; dataUrl: string }[] {
  const [n, h, w, c] = ds.xShape;
  const size = sampleSize(ds);
  const rng = new Rng(seed);
  // One patch per image where images are known (subjects), else spread over the set.
  const picked: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n && picked.length < pairs; i++) {
    const owner = ds.subjects ? ds.subjects[i] : i;
    if (ds.subjects ? seen.has(owner) : i % Math.max(1, Math.floor(n / pairs)) !== 0) continue;
    seen.add(owner);
    picked.push(i);
  }
  const paired = c === 2 || c === 6;
  return picked.flatMap((i) => {
    const name = names && ds.subjects ? ` · ${names[ds.subjects[i] - 1]}` : '';
    if (paired) {
      // Real pairs: the noisy half of the channels, then the clean half.
      const half = c / 2;
      const noisy = new Float32Array(h * w * half);
      const clean = new Float32Array(h * w * half);
      for (let k = 0; k < h * w; k++)
        for (let j = 0; j < half; j++) {
          noisy[k * half + j] = ds.x[i * size + k * c + j];
          clean[k * half + j] = ds.x[i * size + k * c + half + j];
        }
      return [
        { label: `noisy${name}`, dataUrl: pngDataUrl(encodePng(noisy, h, w, half)) },
        { label: `clean${name}`, dataUrl: pngDataUrl(encodePng(clean, h, w, half)) },
      ];
    }
    const clean = ds.x.subarray(i * size, (i + 1) * size);
    const noisy = Float32Array.from(clean, (v) => Math.min(1, Math.max(0, v + (rng.normal() * sigma) / 255)));
    return [
      { label: `clean${name}`, dataUrl: pngDataUrl(encodePng(clean, h, w, c)) },
      { label: `noisy (σ ${sigma})${name}`, dataUrl: pngDataUrl(encodePng(noisy, h, w, c)) },
    ];
  });
}
