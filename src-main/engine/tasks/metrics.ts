/**
 * Evaluation metrics on plain typed arrays (no tensors), so they are cheap to call after a prediction
 * has been read back and easy to check by hand.
 */

type Numbers = ArrayLike<number>;

/** Index of the largest entry of each row of a row-major [N, K] score matrix. */
export function argmaxRows(scores: Numbers, numClasses: number): Int32Array {
  const n = Math.floor(scores.length / numClasses);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (scores[i * numClasses + k] > scores[i * numClasses + best]) best = k;
    out[i] = best;
  }
  return out;
}

function checkSameLength(a: Numbers, b: Numbers): void {
  if (a.length !== b.length) throw new Error(`metrics: ${a.length} predictions for ${b.length} targets`);
  if (a.length === 0) throw new Error('metrics: no samples');
}

/** Arguments in scikit-learn's order: true labels first, then predictions. */
export function accuracy(truth: Numbers, predicted: Numbers): number {
  checkSameLength(predicted, truth);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}

/** counts[t][p]: samples of true class t predicted as p (rows = true class). */
export function confusionMatrix(truth: Numbers, predicted: Numbers, numClasses: number): number[][] {
  checkSameLength(predicted, truth);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) throw new Error(`metrics: class ${t < 0 || t >= numClasses ? t : p} outside 0..${numClasses - 1}`);
    m[t][p]++;
  }
  return m;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in truth or predictions (a class absent
 * from both has no defined F1 and is left out, as scikit-learn's labels=present behaviour would).
 */
export function macroF1(confusion: number[][]): number;
export function macroF1(truth: Numbers, predicted: Numbers, numClasses: number): number;
export function macroF1(a: number[][] | Numbers, predicted?: Numbers, k?: number): number {
  const m = predicted === undefined ? (a as number[][]) : confusionMatrix(a as Numbers, predicted, k ?? 0);
  const numClasses = m.length;
  let sum = 0, present = 0;
  for (let c = 0; c < numClasses; c++) {
    const tp = m[c][c];
    let trueCount = 0, predCount = 0;
    for (let k = 0; k < numClasses; k++) {
      trueCount += m[c][k];
      predCount += m[k][c];
    }
    if (trueCount === 0 && predCount === 0) continue;
    present++;
    sum += (2 * tp) / (trueCount + predCount);
  }
  return sum / present;
}

/** Cap for identical images, whose PSNR is infinite: 100 dB (MSE 1e-10 at data range 1). */
const MIN_MSE = 1e-10;

/**
 * PSNR in dB with data range 1, computed per image and averaged over the batch (the usual convention
 * of denoising papers; the PSNR of the pooled MSE would weight bad images less).
 * a and b are [N, ...imageShape] row-major; n is the number of images.
 */
export function psnr(a: Numbers, b: Numbers, n: number): number {
  checkSameLength(a, b);
  const size = a.length / n;
  if (!Number.isInteger(size)) throw new Error(`metrics: ${a.length} values do not split into ${n} images`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let se = 0;
    for (let j = i * size; j < (i + 1) * size; j++) se += (a[j] - b[j]) ** 2;
    total += 10 * Math.log10(1 / Math.max(se / size, MIN_MSE));
  }
  return total / n;
}

function imageCount(values: Numbers, imageShape: number[]): number {
  const size = imageShape.reduce((x, y) => x * y, 1);
  const n = values.length / size;
  if (!Number.isInteger(n) || n === 0) throw new Error(`metrics: ${values.length} values are not a whole number of ${imageShape.join('×')} images`);
  return n;
}

/** PSNR per image averaged, with the per-image shape ([H, W, C]) instead of the image count. */
export function meanPsnr(a: Numbers, b: Numbers, imageShape: number[]): number {
  return psnr(a, b, imageCount(a, imageShape));
}

/** SSIM averaged over images and channels, with the per-image shape ([H, W, C] or [H, W]). */
export function meanSsim(a: Numbers, b: Numbers, imageShape: number[]): number {
  const [h, w, c = 1] = imageShape;
  return ssim(a, b, [imageCount(a, imageShape), h, w, c]);
}

/** Normalised 1-D Gaussian of odd length `size`. */
function gaussian(size: number, sigma: number): Float64Array {
  const g = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) s += g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) g[i] /= s;
  return g;
}

/** 'valid' separable filtering of an H×W plane. */
function filterValid(plane: Float64Array, H: number, W: number, g: Float64Array): Float64Array {
  const k = g.length;
  const W2 = W - k + 1, H2 = H - k + 1;
  const rows = new Float64Array(H * W2);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W2; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * plane[y * W + x + i];
      rows[y * W2 + x] = s;
    }
  const out = new Float64Array(H2 * W2);
  for (let y = 0; y < H2; y++)
    for (let x = 0; x < W2; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * rows[(y + i) * W2 + x];
      out[y * W2 + x] = s;
    }
  return out;
}

export interface SsimOptions {
  windowSize?: number;
  sigma?: number;
  k1?: number;
  k2?: number;
  dataRange?: number;
}

/**
 * SSIM of Wang et al. (2004): Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1, local
 * statistics over 'valid' window positions (as in the authors' ssim_index.m), computed per channel and
 * averaged over channels and images. Images smaller than the window use the largest odd window that fits.
 * a and b are NHWC [n, h, w, c].
 */
export function ssim(a: Numbers, b: Numbers, shape: [n: number, h: number, w: number, c: number], options: SsimOptions = {}): number {
  checkSameLength(a, b);
  const [n, H, W, C] = shape;
  if (n * H * W * C !== a.length) throw new Error(`metrics: shape ${shape.join('×')} does not match ${a.length} values`);
  const L = options.dataRange ?? 1;
  const C1 = ((options.k1 ?? 0.01) * L) ** 2;
  const C2 = ((options.k2 ?? 0.03) * L) ** 2;
  let size = Math.min(options.windowSize ?? 11, H, W);
  if (size % 2 === 0) size--;
  const g = gaussian(size, options.sigma ?? 1.5);
  const pa = new Float64Array(H * W), pb = new Float64Array(H * W);
  const paa = new Float64Array(H * W), pbb = new Float64Array(H * W), pab = new Float64Array(H * W);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < C; ch++) {
      for (let p = 0; p < H * W; p++) {
        const va = a[(i * H * W + p) * C + ch], vb = b[(i * H * W + p) * C + ch];
        pa[p] = va;
        pb[p] = vb;
        paa[p] = va * va;
        pbb[p] = vb * vb;
        pab[p] = va * vb;
      }
      const mu1 = filterValid(pa, H, W, g), mu2 = filterValid(pb, H, W, g);
      const s11 = filterValid(paa, H, W, g), s22 = filterValid(pbb, H, W, g), s12 = filterValid(pab, H, W, g);
      let mapSum = 0;
      for (let p = 0; p < mu1.length; p++) {
        const m1 = mu1[p], m2 = mu2[p];
        const v1 = s11[p] - m1 * m1, v2 = s22[p] - m2 * m2, cov = s12[p] - m1 * m2;
        mapSum += ((2 * m1 * m2 + C1) * (2 * cov + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
      }
      total += mapSum / mu1.length;
    }
  return total / (n * C);
}
