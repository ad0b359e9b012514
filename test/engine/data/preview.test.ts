import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { encodePng, previewSamples } from '../../../src-main/engine/data/preview.js';

describe('encodePng', () => {
  it('round-trips gray and RGB images through PNG bytes', () => {
    const gray = Float32Array.of(0, 0.5, 1, 2, -1, 0.25);
    const decodedGray = PNG.sync.read(encodePng(gray, 2, 3, 1));
    expect([decodedGray.width, decodedGray.height]).toEqual([3, 2]);
    expect([...decodedGray.data.filter((_, i) => i % 4 === 0)]).toEqual([0, 128, 255, 255, 0, 64]);
    const rgb = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1);
    const decodedRgb = PNG.sync.read(encodePng(rgb, 2, 2, 3));
    expect([...decodedRgb.data]).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    const ga = PNG.sync.read(encodePng(Float32Array.of(1, 0.5), 1, 1, 2));
    expect([...ga.data]).toEqual([255, 255, 255, 128]);
  });

  it('rejects a channel count PNG cannot hold and a size that does not match', () => {
    expect(() => encodePng(new Float32Array(5), 1, 1, 5)).toThrow(/5 channels/);
    expect(() => encodePng(new Float32Array(3), 2, 2, 1)).toThrow(/3 values for 2×2×1 = 4/);
  });
});

describe('previewSamples', () => {
  const ds: ArrayDataset = {
    name: 'toy',
    x: Float32Array.from({ length: 6 * 4 }, (_, i) => Math.floor(i / 4) / 5),
    xShape: [6, 2, 2, 1],
    y: Int32Array.of(0, 0, 0, 0, 1, 2),
    classes: ['zero', 'one', 'two'],
  };

  it('shows one sample of each class first, as PNG data URLs, the same for a seed', () => {
    const previews = previewSamples(ds, 4, 1);
    expect(previews.map((p) => p.label).slice(0, 3)).toEqual(['zero', 'one', 'two']);
    expect(previews[3].label).toBe('zero');
    for (const p of previews) {
      expect(p.dataUrl).toMatch(/^data:image\/png;base64,/);
      const png = PNG.sync.read(Buffer.from(p.dataUrl.split(',')[1], 'base64'));
      expect([png.width, png.height]).toEqual([2, 2]);
    }
    // Sample 5 (label two) is uniformly 1.0 → white.
    expect(PNG.sync.read(Buffer.from(previews[2].dataUrl.split(',')[1], 'base64')).data[0]).toBe(255);
    expect(previewSamples(ds, 4, 1)).toEqual(previews);
    expect(previewSamples(ds, 100, 1)).toHaveLength(6);
  });

  it('refuses non-image datasets', () => {
    expect(() => previewSamples({ ...ds, xShape: [6, 2, 2] }, 2, 0)).toThrow(/toy: previews are for images/);
  });
});
