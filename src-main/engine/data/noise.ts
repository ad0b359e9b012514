import * as tf from '@tensorflow/tfjs';

/**
 * Noise models for denoising, applied to a batch in [0, 1]. Seeded through tfjs's own seeded random
 * ops (alea from the seed), so the same seed gives the same noise on every backend; the caller varies
 * the seed per batch.
 */
export type NoiseModel =
  /** Additive white Gaussian noise; sigma on the 0–255 scale, as in the denoising literature (σ = 15, 25, 50). */
  | { kind: 'gaussian'; sigma?: number }
  /** Impulse noise: `amount` of the pixels set to 0 or 1 (half each), the same in every channel. */
  | { kind: 'salt-pepper'; amount?: number };

export const DEFAULT_GAUSSIAN_SIGMA = 25;
export const DEFAULT_SALT_PEPPER_AMOUNT = 0.1;

export function addGaussianNoise(x: tf.Tensor, seed: number, sigma = DEFAULT_GAUSSIAN_SIGMA): tf.Tensor {
  if (!(sigma >= 0)) throw new Error(`gaussian noise: sigma must be ≥ 0 (0–255 scale), got ${sigma}`);
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, sigma / 255, 'float32', seed)), 0, 1));
}

export function addSaltPepperNoise(x: tf.Tensor, seed: number, amount = DEFAULT_SALT_PEPPER_AMOUNT): tf.Tensor {
  if (!(amount >= 0 && amount <= 1)) throw new Error(`salt-and-pepper noise: amount must be in [0, 1], got ${amount}`);
  return tf.tidy(() => {
    // One draw per pixel, broadcast over channels: impulse noise hits whole pixels.
    const pixelShape = x.rank >= 2 ? [...x.shape.slice(0, -1), 1] : x.shape;
    const u = tf.randomUniform(pixelShape, 0, 1, 'float32', seed);
    const pepper = tf.less(u, amount / 2);
    const salt = tf.greaterEqual(u, 1 - amount / 2);
    const withPepper = tf.where(tf.broadcastTo(pepper, x.shape), tf.zerosLike(x), x);
    return tf.where(tf.broadcastTo(salt, x.shape), tf.onesLike(x), withPepper);
  });
}

/** Applies a noise model; the result is a new tensor in [0, 1] the caller disposes. */
export function applyNoise(x: tf.Tensor, model: NoiseModel, seed: number): tf.Tensor {
  switch (model.kind) {
    case 'gaussian':
      return addGaussianNoise(x, seed, model.sigma);
    case 'salt-pepper':
      return addSaltPepperNoise(x, seed, model.amount);
  }
}
