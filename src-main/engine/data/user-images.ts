import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ArrayDataset } from './dataset.types.js';
import { loadIdxPair } from './idx-pair.js';
import { loadImageFolder, type ImageFolderOptions, type ImageFolderResult } from './image-folder.js';

export interface UserImagesResult extends ImageFolderResult {
  /** Present when the data came with its own test set (an IDX train pair next to a t10k/test pair). */
  test?: ArrayDataset;
}

const IDX_IMAGES = /idx[34][-.]ubyte(\.gz)?$/i;
const IDX_LABELS = /idx1[-.]ubyte(\.gz)?$/i;
const IS_TEST = /^(t10k|test)/i;

/** The labels file named like an images file: "train-images-idx3-ubyte" → "train-labels-idx1-ubyte". */
function labelsNameFor(imagesName: string): string {
  return imagesName.replace(/images/i, 'labels').replace(/idx[34]/i, 'idx1');
}

function pairFor(dir: string, imagesName: string, files: string[]): string {
  const wanted = labelsNameFor(imagesName);
  // Case and .gz may differ between the two files of a pair.
  const key = (name: string) => name.toLowerCase().replace(/\.gz$/, '');
  const match = files.find((f) => key(f) === key(wanted));
  if (!match) {
    const labels = files.filter((f) => IDX_LABELS.test(f));
    throw new Error(`${join(dir, imagesName)}: no labels file "${wanted}" next to it${labels.length ? ` (found ${labels.join(', ')})` : ''}`);
  }
  return join(dir, match);
}

/**
 * User images from a folder of class subfolders, a directory holding an IDX pair (with an optional
 * t10k/test pair as the test set), or the path of an IDX images file whose labels file lies beside it.
 */
export async function loadUserImages(path: string, options: ImageFolderOptions = {}): Promise<UserImagesResult> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  if (info.isFile()) {
    if (!IDX_IMAGES.test(path)) throw new Error(`${path}: not a folder and not an IDX images file (…-images-idx3-ubyte)`);
    const files = await readdir(dirname(path));
    return loadIdxPair(path, pairFor(dirname(path), basename(path), files), options);
  }
  const files = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  const imageFiles = files.filter((f) => IDX_IMAGES.test(f)).sort();
  if (imageFiles.length === 0) return loadImageFolder(path, options);

  const trainFiles = imageFiles.filter((f) => !IS_TEST.test(f));
  const testFiles = imageFiles.filter((f) => IS_TEST.test(f));
  if (trainFiles.length > 1 || testFiles.length > 1 || (trainFiles.length === 0 && testFiles.length > 0 && imageFiles.length > 1)) {
    throw new Error(`${path}: several IDX image files (${imageFiles.join(', ')}); keep one pair, or one train and one t10k/test pair`);
  }
  const main = trainFiles[0] ?? testFiles[0];
  const result: UserImagesResult = loadIdxPair(join(path, main), pairFor(path, main, files), options);
  if (trainFiles.length === 1 && testFiles.length === 1) {
    const test = loadIdxPair(join(path, testFiles[0]), pairFor(path, testFiles[0], files), options).dataset;
    if (test.xShape.slice(1).join('×') !== result.dataset.xShape.slice(1).join('×')) {
      throw new Error(`${join(path, testFiles[0])}: test images are ${test.xShape.slice(1).join('×')}, training images ${result.dataset.xShape.slice(1).join('×')} — they must match`);
    }
    result.test = test;
  }
  return result;
}
