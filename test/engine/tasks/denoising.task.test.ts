import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchPsnr, denoisingTask, pairedDenoisingTask } from '../../../src-main/engine/tasks/denoising.task.js';
import { psnr } from '../../../src-main/engine/tasks/metrics.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const clean = () => tf.fill([4, 16, 16, 1], 0.5);

describe('denoisingTask', () => {
  it('Gaussian noise: seeded, sigma on the 0–255 scale, clean image as target', () => {
    const task = denoisingTask([16, 16, 1], { kind: 'gaussian', sigma: 25 });
    expect(task.numClasses).toBe(0);
    expect(task.scoreName).toBe('psnr');
    const x = clean();
    const y = tf.zeros([4], 'int32');
    const a = task.makeBatch(x, y, 11);
    const b = task.makeBatch(x, y, 11);
    const c = task.makeBatch(x, y, 12);
    const noisy = a.input.dataSync();
    expect(Array.from(noisy)).toEqual(Array.from(b.input.dataSync()));
    expect(Array.from(noisy)).not.toEqual(Array.from(c.input.dataSync()));
    expect(Array.from(a.target.dataSync()).every((v) => v === 0.5)).toBe(true);
    let s2 = 0;
    for (const v of noisy) s2 += (v - 0.5) ** 2;
    // 1024 samples: the measured sigma is within a few percent of 25/255
    expect(Math.sqrt(s2 / noisy.length)).toBeGreaterThan((25 / 255) * 0.9);
    expect(Math.sqrt(s2 / noisy.length)).toBeLessThan((25 / 255) * 1.1);
    tf.dispose([x, y, a.input, a.target, b.input, b.target, c.input, c.target]);
  });

  it('salt-and-pepper noise sets about `amount` of the values to 0 or 1', () => {
    const task = denoisingTask([16, 16, 1], { kind: 'salt-pepper', amount: 0.2 });
    const x = clean();
    const y = tf.zeros([4], 'int32');
    const { input, target } = task.makeBatch(x, y, 5);
    const v = input.dataSync();
    const zeros = v.filter((p) => p === 0).length, ones = v.filter((p) => p === 1).length;
    expect(zeros + ones + v.filter((p) => p === 0.5).length).toBe(v.length);
    expect((zeros + ones) / v.length).toBeGreaterThan(0.15);
    expect((zeros + ones) / v.length).toBeLessThan(0.25);
    expect(zeros).toBeGreaterThan(0);
    expect(ones).toBeGreaterThan(0);
    tf.dispose([x, y, input, target]);
  });

  it('scores PSNR like metrics.psnr and uses MSE as loss', () => {
    const task = denoisingTask([2, 2, 1], { kind: 'gaussian', sigma: 10 });
    const out = tf.tensor4d([0.6, 0.4, 0.6, 0.4, 0.51, 0.49, 0.5, 0.5], [2, 2, 2, 1]);
    const tgt = tf.fill([2, 2, 2, 1], 0.5);
    const expected = psnr(out.dataSync(), tgt.dataSync(), 2);
    expect(batchPsnr(out, tgt).dataSync()[0]).toBeCloseTo(expected, 3);
    expect(task.batchScore(out, tgt).dataSync()[0]).toBeCloseTo(expected, 3);
    expect(task.loss(out, tgt).dataSync()[0]).toBeCloseTo((4 * 0.01 + 2 * 0.0001) / 8, 6);
    tf.dispose([out, tgt]);
  });

  it('rejects a bad noise setting', () => {
    expect(() => denoisingTask([8, 8, 1], { kind: 'salt-pepper', amount: 2 })).toThrow(/amount must be in \(0, 1\]/);
    expect(() => denoisingTask([8, 8, 1], { kind: 'gaussian', sigma: 0 })).toThrow(/sigma must be > 0/);
  });
});

describe('pairedDenoisingTask', () => {
  it('reads the noisy half of the channels as input and the clean half as target, adding no noise', () => {
    const task = pairedDenoisingTask([2, 2, 1]);
    // two samples of 2×2 pixels, channels [noisy, clean]
    const x = tf.tensor4d([0.9, 0.5, 0.1, 0.5, 0.8, 0.5, 0.2, 0.5, 0.3, 0.1, 0.4, 0.1, 0.0, 0.1, 0.6, 0.1], [2, 2, 2, 2]);
    const { input, target } = task.makeBatch(x, tf.zeros([2], 'int32'), 1);
    expect(input.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(input.dataSync())).toEqual(Array.from(new Float32Array([0.9, 0.1, 0.8, 0.2, 0.3, 0.4, 0.0, 0.6])));
    expect(Array.from(target.dataSync())).toEqual(Array.from(new Float32Array([0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1])));
    expect(task.inputShape).toEqual([2, 2, 1]);
  });
});
