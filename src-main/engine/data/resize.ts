/**
 * Resampling of float HWC images. Separable: each axis gets its own taps, bilinear when the axis grows
 * (half-pixel centres, as tf.image.resizeBilinear with halfPixelCenters) and area averaging when it
 * shrinks (each output pixel is the mean of the source area it covers, so thin strokes are not lost).
 */
interface Taps {
  index: Int32Array;
  weight: Float32Array;
  /** Taps per output position. */
  width: number;
}

function axisTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  if (scale > 1) {
    const width = Math.ceil(scale) + 1;
    const index = new Int32Array(outSize * width);
    const weight = new Float32Array(outSize * width);
    for (let o = 0; o < outSize; o++) {
      const start = o * scale;
      const end = start + scale;
      let k = 0;
      for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap <= 0) continue;
        index[o * width + k] = i;
        weight[o * width + k] = overlap / scale;
        k++;
      }
    }
    return { index, weight, width };
  }
  const index = new Int32Array(outSize * 2);
  const weight = new Float32Array(outSize * 2);
  for (let o = 0; o < outSize; o++) {
    const centre = Math.min(inSize - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const lo = Math.floor(centre);
    const hi = Math.min(inSize - 1, lo + 1);
    const frac = centre - lo;
    index[o * 2] = lo;
    weight[o * 2] = 1 - frac;
    index[o * 2 + 1] = hi;
    weight[o * 2 + 1] = frac;
  }
  return { index, weight, width: 2 };
}

/** Resizes an [h, w, c] float image to [outH, outW, c]; returns the input when nothing changes. */
export function resizeImage(src: Float32Array, h: number, w: number, c: number, outH: number, outW: number): Float32Array {
  if (h === outH && w === outW) return src;
  const cols = axisTaps(w, outW);
  const rows = axisTaps(h, outH);
  // Horizontal pass: [h, w, c] → [h, outW, c].
  const mid = new Float32Array(h * outW * c);
  for (let y = 0; y < h; y++) {
    for (let o = 0; o < outW; o++) {
      const out = (y * outW + o) * c;
      for (let k = 0; k < cols.width; k++) {
        const wt = cols.weight[o * cols.width + k];
        if (wt === 0) continue;
        const s = (y * w + cols.index[o * cols.width + k]) * c;
        for (let ch = 0; ch < c; ch++) mid[out + ch] += wt * src[s + ch];
      }
    }
  }
  // Vertical pass: [h, outW, c] → [outH, outW, c].
  const dst = new Float32Array(outH * outW * c);
  const rowLen = outW * c;
  for (let o = 0; o < outH; o++) {
    const out = o * rowLen;
    for (let k = 0; k < rows.width; k++) {
      const wt = rows.weight[o * rows.width + k];
      if (wt === 0) continue;
      const s = rows.index[o * rows.width + k] * rowLen;
      for (let i = 0; i < rowLen; i++) dst[out + i] += wt * mid[s + i];
    }
  }
  return dst;
}
