import type { ArrayDataset } from '../dataset.types.js';

/** Samples per row of x: the product of xShape without its first entry. */
export function sampleSize(ds: ArrayDataset): number {
  return ds.xShape.slice(1).reduce((a, b) => a * b, 1);
}

/** A new dataset holding the chosen samples, in the given order (copies, so the parts are independent). */
export function takeSamples(ds: ArrayDataset, indices: ArrayLike<number>, name = ds.name): ArrayDataset {
  const size = sampleSize(ds);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  const subjects = ds.subjects ? new Int32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    x.set(ds.x.subarray(j * size, (j + 1) * size), i * size);
    y[i] = ds.y[j];
    if (subjects && ds.subjects) subjects[i] = ds.subjects[j];
  }
  return { name, x, xShape: [indices.length, ...ds.xShape.slice(1)], y, classes: ds.classes, ...(subjects ? { subjects } : {}) };
}

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
