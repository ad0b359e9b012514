import type { ArrayDataset } from './dataset.types.js';
import { DEFAULT_GAUSSIAN_SIGMA } from './noise.js';
import { encodePng, pngDataUrl } from './preview.js';
import { sampleSize } from './split.js';
import { Rng } from '../util/rng.js';

/**
 * Clean/noisy pairs for the wizard: a patch from each of a few images, then the same patch with the
 * Gaussian noise training adds (σ on the 0–255 scale), so the user sees what the model will learn to undo.
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
  return picked.flatMap((i) => {
    const clean = ds.x.subarray(i * size, (i + 1) * size);
    const noisy = Float32Array.from(clean, (v) => Math.min(1, Math.max(0, v + (rng.normal() * sigma) / 255)));
    const name = names && ds.subjects ? ` · ${names[ds.subjects[i] - 1]}` : '';
    return [
      { label: `clean${name}`, dataUrl: pngDataUrl(encodePng(clean, h, w, c)) },
      { label: `noisy (σ ${sigma})${name}`, dataUrl: pngDataUrl(encodePng(noisy, h, w, c)) },
    ];
  });
}
