import { PNG } from 'pngjs';
import type { ArrayDataset } from './dataset.types.js';
import { sampleSize } from './split.js';
import { Rng } from '../util/rng.js';

/** PNG colour types by channel count: gray, gray+alpha, RGB, RGBA. */
const COLOR_TYPE: Record<number, 0 | 4 | 2 | 6> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes one HWC float image in [0, 1] (values outside are clipped) as PNG bytes. */
export function encodePng(pixels: Float32Array, h: number, w: number, c: number): Buffer {
  const colorType = COLOR_TYPE[c];
  if (colorType === undefined) throw new Error(`encodePng: ${c} channels; PNG takes 1, 2, 3 or 4`);
  if (pixels.length !== h * w * c) throw new Error(`encodePng: ${pixels.length} values for ${h}×${w}×${c} = ${h * w * c}`);
  const rgba = Buffer.alloc(h * w * 4);
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < h * w; p++) {
    const s = p * c;
    const gray = c <= 2;
    const r = byte(pixels[s]);
    rgba[p * 4] = r;
    rgba[p * 4 + 1] = gray ? r : byte(pixels[s + 1]);
    rgba[p * 4 + 2] = gray ? r : byte(pixels[s + 2]);
    rgba[p * 4 + 3] = c === 2 ? byte(pixels[s + 1]) : c === 4 ? byte(pixels[s + 3]) : 255;
  }
  const png = new PNG({ width: w, height: h });
  png.data = rgba;
  return PNG.sync.write(png, { colorType, inputColorType: 6 });
}

export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * A few samples as PNG data URLs for the UI, chosen by the seed and spread over the classes
 * (one of each class before a second of any).
 */
export function previewSamples(ds: ArrayDataset, count: number, seed: number): { label: string; dataUrl: string }[] {
  if (ds.xShape.length !== 4) throw new Error(`${ds.name}: previews are for images [N, H, W, C]; this dataset is [${ds.xShape.join(', ')}]`);
  const [n, h, w, c] = ds.xShape;
  const byClass = new Map<number, number[]>();
  for (const i of new Rng(seed).permutation(n)) {
    const label = ds.y[i];
    let group = byClass.get(label);
    if (!group) byClass.set(label, (group = []));
    group.push(i);
  }
  const groups = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
  const picked: number[] = [];
  for (let round = 0; picked.length < Math.min(count, n); round++) {
    for (const g of groups) if (round < g.length && picked.length < count) picked.push(g[round]);
  }
  const size = sampleSize(ds);
  return picked.map((i) => ({
    label: ds.classes[ds.y[i]] ?? String(ds.y[i]),
    dataUrl: pngDataUrl(encodePng(ds.x.subarray(i * size, (i + 1) * size), h, w, c)),
  }));
}
