import { basename } from 'node:path';
import type { ArrayDataset, ValidationReport } from './dataset.types.js';
import { bytesToUnitFloat, readIdxImages, readIdxLabels } from './idx.js';
import type { ImageFolderResult } from './image-folder.js';
import { parseSize } from './image-folder.js';
import { resizeImage } from './resize.js';

/**
 * A user's IDX pair (images + labels, MNIST layout, optionally gzip-compressed) as one dataset.
 * Classes are the label values 0..max; `size` resizes when given and different from the file's.
 */
export function loadIdxPair(imagesPath: string, labelsPath: string, options: { size?: number | [number, number] } = {}): ImageFolderResult {
  const images = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath);
  const [n, h, w] = images.dims;
  const c = images.dims[3] ?? 1;
  if (labels.dims[0] !== n) {
    throw new Error(`${labelsPath}: ${labels.dims[0]} labels, but ${basename(imagesPath)} holds ${n} images — the counts must match`);
  }
  if (n === 0) throw new Error(`${imagesPath}: the file holds no images`);
  let maxLabel = 0;
  for (const label of labels.data) if (label > maxLabel) maxLabel = label;
  const classes = Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  const countsPerClass: Record<string, number> = Object.fromEntries(classes.map((k) => [k, 0]));
  for (const label of labels.data) countsPerClass[String(label)]++;
  if (classes.length < 2) throw new Error(`${labelsPath}: every label is 0 — a classifier needs at least two classes`);
  const report: ValidationReport = { ok: true, samples: n, countsPerClass, shapes: [`${h}×${w}×${c}`], issues: [], skipped: 0 };
  for (const k of classes) {
    if (countsPerClass[k] === 0) report.issues.push({ file: labelsPath, problem: `no sample has label ${k} (labels run 0..${maxLabel})`, severity: 'warning' });
  }

  let x = bytesToUnitFloat(images.data);
  const [outH, outW] = options.size === undefined ? [h, w] : parseSize(options.size);
  if (outH !== h || outW !== w) {
    const resized = new Float32Array(n * outH * outW * c);
    for (let i = 0; i < n; i++) {
      resized.set(resizeImage(x.subarray(i * h * w * c, (i + 1) * h * w * c), h, w, c, outH, outW), i * outH * outW * c);
    }
    x = resized;
  }
  const dataset: ArrayDataset = { name: basename(imagesPath), x, xShape: [n, outH, outW, c], y: Int32Array.from(labels.data), classes };
  return { dataset, report };
}
