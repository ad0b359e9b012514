import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { addGaussianNoise, addSaltPepperNoise, applyNoise } from '../../../src-main/engine/data/noise.js';

const shape = [4, 16, 16, 1];

function stats(a: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  return { mean, std, min, max };
}

describe('noise models', () => {
  it('gaussian: sigma on the 0–255 scale, reproducible for a seed, clipped to [0, 1], no leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.fill(shape, 0.5);
    const a = addGaussianNoise(x, 7);
    const b = addGaussianNoise(x, 7);
    const c = addGaussianNoise(x, 8);
    const av = a.dataSync() as Float32Array;
    expect([...av]).toEqual([...b.dataSync()]);
    expect([...av]).not.toEqual([...c.dataSync()]);
    const s = stats(Float32Array.from(av, (v) => v - 0.5));
    expect(s.std).toBeGreaterThan(0.85 * (25 / 255));
    expect(s.std).toBeLessThan(1.15 * (25 / 255));
    const strong = addGaussianNoise(x, 1, 200);
    const st = stats(strong.dataSync() as Float32Array);
    expect(st.min).toBe(0);
    expect(st.max).toBe(1);
    tf.dispose([x, a, b, c, strong]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('salt-and-pepper: about `amount` of the pixels become 0 or 1, whole pixels across channels', () => {
    const before = tf.memory().numTensors;
    const x = tf.fill([2, 32, 32, 3], 0.5);
    const noisy = addSaltPepperNoise(x, 3, 0.2);
    const v = noisy.dataSync() as Float32Array;
    let pepper = 0;
    let salt = 0;
    for (let p = 0; p < v.length; p += 3) {
      expect(v[p + 1]).toBe(v[p]);
      expect(v[p + 2]).toBe(v[p]);
      if (v[p] === 0) pepper++;
      else if (v[p] === 1) salt++;
      else expect(v[p]).toBe(0.5);
    }
    const pixels = v.length / 3;
    expect((pepper + salt) / pixels).toBeGreaterThan(0.16);
    expect((pepper + salt) / pixels).toBeLessThan(0.24);
    expect(Math.abs(pepper - salt) / pixels).toBeLessThan(0.04);
    const again = applyNoise(x, { kind: 'salt-pepper', amount: 0.2 }, 3);
    expect([...again.dataSync()]).toEqual([...v]);
    tf.dispose([x, noisy, again]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('applyNoise uses the defaults and rejects bad parameters', () => {
    const x = tf.fill(shape, 0.5);
    const viaModel = applyNoise(x, { kind: 'gaussian' }, 11);
    const direct = addGaussianNoise(x, 11, 25);
    expect([...viaModel.dataSync()]).toEqual([...direct.dataSync()]);
    expect(() => applyNoise(x, { kind: 'gaussian', sigma: -1 }, 1)).toThrow(/sigma must be ≥ 0/);
    expect(() => applyNoise(x, { kind: 'salt-pepper', amount: 2 }, 1)).toThrow(/amount must be in \[0, 1\], got 2/);
    tf.dispose([x, viaModel, direct]);
  });
});
