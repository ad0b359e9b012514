import * as tf from '@tensorflow/tfjs';

/**
 * Noise models for the denoising task, applied to a batch tensor in [0, 1]. Gaussian sigma is on the
 * 0–255 scale (DnCNN's sigma 25 = 25/255 here), as the search config states.
 */
export type NoiseSpec =
  | { kind: 'gaussian'; sigma: number; amount?: number }
  | { kind: 'salt-pepper'; amount: number; sigma?: number };

export function checkNoise(noise: NoiseSpec): void {
  if (noise.kind === 'gaussian' && !(noise.sigma > 0)) throw new Error(`denoising: Gaussian sigma must be > 0 (0–255 scale), got ${noise.sigma}`);
  if (noise.kind === 'salt-pepper' && !(noise.amount >= 0 && noise.amount <= 1))
    throw new Error(`denoising: salt-and-pepper amount must be in [0, 1], got ${noise.amount}`);
}

/**
 * Returns a noisy copy of x, the same for the same seed. Gaussian: x + N(0, (sigma/255)²), clipped to
 * [0, 1] like a real 8-bit sensor. Salt-and-pepper: each value with probability `amount` becomes 0 or 1
 * (even odds).
 */
export function addNoise(x: tf.Tensor, noise: NoiseSpec, seed: number): tf.Tensor {
  return tf.tidy(() => {
    if (noise.kind === 'gaussian') {
      return tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, noise.sigma / 255, 'float32', seed)), 0, 1);
    }
    const hit = tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', seed), noise.amount);
    const salt = tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', seed + 7919), 0.5), 'float32');
    return tf.where(hit, salt, x);
  });
}
