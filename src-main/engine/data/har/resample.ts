/**
 * Puts a recording on a regular grid at `targetHz`: linear interpolation at t = k / targetHz between the
 * samples' own times (a logger's jitter is removed too). Going down in rate, each channel is first
 * averaged over the source samples that one target step spans, so faster motion does not alias.
 *
 * @param values samples × channels, row-major
 * @param times seconds of each sample from the first (regular at `sourceHz` when omitted)
 */
export function resampleRecording(values: Float32Array, channels: number, targetHz: number, source: { sourceHz: number; times?: Float64Array }): Float32Array {
  const n = values.length / channels;
  const times = source.times ?? Float64Array.from({ length: n }, (_, i) => i / source.sourceHz);
  if (n < 2) return values.slice();
  const ratio = source.sourceHz / targetHz;
  // An odd width keeps the average centred (no phase shift).
  const smoothed = ratio > 1.5 ? boxAverage(values, channels, 2 * Math.floor(ratio / 2) + 1) : values;
  const duration = times[n - 1] - times[0];
  const m = Math.floor(duration * targetHz + 1e-9) + 1;
  const out = new Float32Array(m * channels);
  let j = 0;
  for (let k = 0; k < m; k++) {
    const t = times[0] + k / targetHz;
    while (j < n - 2 && times[j + 1] < t) j++;
    const span = times[j + 1] - times[j];
    const w = span > 0 ? Math.min(1, Math.max(0, (t - times[j]) / span)) : 0;
    for (let c = 0; c < channels; c++) out[k * channels + c] = smoothed[j * channels + c] * (1 - w) + smoothed[(j + 1) * channels + c] * w;
  }
  return out;
}

/** Centred moving average over an odd `width` of samples per channel (shorter at the ends). */
function boxAverage(values: Float32Array, channels: number, width: number): Float32Array {
  const n = values.length / channels;
  const out = new Float32Array(values.length);
  const half = (width - 1) / 2;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const lo = Math.max(0, i - half);
      const hi = Math.min(n - 1, i + half);
      for (let k = lo; k <= hi; k++) sum += values[k * channels + c];
      out[i * channels + c] = sum / (hi - lo + 1);
    }
  }
  return out;
}
