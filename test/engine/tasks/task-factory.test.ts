import { describe, expect, it } from 'vitest';
import { createTask } from '../../../src-main/engine/tasks/task-factory.js';
import { generateSyntheticHar } from '../../../src-main/engine/data/har/synthetic-har.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';

const images: ArrayDataset = { name: 'imgs', x: new Float32Array(2 * 8 * 8), xShape: [2, 8, 8, 1], y: new Int32Array([0, 1]), classes: ['a', 'b', 'c'] };

describe('createTask', () => {
  it('builds each kind from the training split', () => {
    const cls = createTask('classification', { train: images });
    expect([cls.kind, cls.inputShape, cls.numClasses]).toEqual(['classification', [8, 8, 1], 3]);
    const den = createTask('denoising', { train: images, noise: { kind: 'salt-pepper', amount: 0.3 } });
    expect([den.kind, den.inputShape, den.numClasses, den.scoreName]).toEqual(['denoising', [8, 8, 1], 0, 'psnr']);
    const har = createTask('har', { train: generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 1, channels: 3 }) });
    expect([har.kind, har.dims, har.inputShape, har.numClasses]).toEqual(['har', 1, [1, 128, 3], 6]);
  });

  it('says which data does not fit the task', () => {
    expect(() => createTask('har', { train: images })).toThrow(/imgs: HAR needs sensor windows/);
    const har = generateSyntheticHar({ subjects: 1, windowsPerActivity: 1, seed: 1 });
    expect(() => createTask('denoising', { train: har })).toThrow(/denoising needs images/);
  });
});
