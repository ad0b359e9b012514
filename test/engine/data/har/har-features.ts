import type { ArrayDataset } from '../../../../src-main/engine/data/dataset.types.js';

/** Simple hand features per window: per-channel mean, standard deviation and mean absolute first difference. */
export function windowFeatures(ds: ArrayDataset): number[][] {
  const [n, T, C] = ds.xShape;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const f: number[] = [];
    for (let c = 0; c < C; c++) {
      let s = 0, s2 = 0, d = 0;
      for (let t = 0; t < T; t++) {
        const v = ds.x[(i * T + t) * C + c];
        s += v;
        s2 += v * v;
        if (t > 0) d += Math.abs(v - ds.x[(i * T + t - 1) * C + c]);
      }
      const m = s / T;
      f.push(m, Math.sqrt(Math.max(0, s2 / T - m * m)), d / (T - 1));
    }
    out.push(f);
  }
  return out;
}

/** Nearest-centroid classifier on standardised features (statistics from the training part). Returns test accuracy. */
export function nearestCentroidAccuracy(train: ArrayDataset, test: ArrayDataset): number {
  const ftr = windowFeatures(train);
  const fte = windowFeatures(test);
  const d = ftr[0].length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const f of ftr) f.forEach((v, j) => (mean[j] += v / ftr.length));
  for (const f of ftr) f.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / ftr.length));
  const z = (f: number[]) => f.map((v, j) => (v - mean[j]) / (Math.sqrt(sd[j]) + 1e-9));
  const k = train.classes.length;
  const centroids = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const counts = new Array<number>(k).fill(0);
  ftr.forEach((f, i) => {
    const zf = z(f);
    counts[train.y[i]]++;
    zf.forEach((v, j) => (centroids[train.y[i]][j] += v));
  });
  centroids.forEach((c, ci) => c.forEach((_, j) => (c[j] /= Math.max(1, counts[ci]))));
  let correct = 0;
  fte.forEach((f, i) => {
    const zf = z(f);
    let best = 0, bestD = Infinity;
    centroids.forEach((c, ci) => {
      const dist = c.reduce((a, v, j) => a + (v - zf[j]) ** 2, 0);
      if (dist < bestD) { bestD = dist; best = ci; }
    });
    if (best === test.y[i]) correct++;
  });
  return correct / fte.length;
}
