import type { ArrayDataset } from '../dataset.types.js';
import { sampleSize } from '../split.js';

/** Joins datasets with the same sample shape and classes (e.g. UCI HAR's train and test). */
export function concatDatasets(parts: ArrayDataset[], name: string): ArrayDataset {
  if (parts.length === 0) throw new Error(`${name}: nothing to join`);
  const shape = parts[0].xShape.slice(1).join('×');
  for (const p of parts) {
    if (p.xShape.slice(1).join('×') !== shape) throw new Error(`${name}: ${p.name} has samples ${p.xShape.slice(1).join('×')}, expected ${shape}`);
  }
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const size = sampleSize(parts[0]);
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  const withSubjects = parts.every((p) => p.subjects);
  const subjects = withSubjects ? new Int32Array(n) : undefined;
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * size);
    y.set(p.y, o);
    if (subjects && p.subjects) subjects.set(p.subjects, o);
    o += p.y.length;
  }
  return { name, x, xShape: [n, ...parts[0].xShape.slice(1)], y, classes: parts[0].classes, ...(subjects ? { subjects } : {}) };
}
