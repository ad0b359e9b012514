import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadIdxPair } from '../../../src-main/engine/data/idx-pair.js';
import { loadUserImages } from '../../../src-main/engine/data/user-images.js';

function idx(magic: number, dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

/** n images of 4×4 whose pixels all equal 10 × label, labels cycling 0..2. */
function writePair(dir: string, prefix: string, n: number, labelCount = n, gz = false): void {
  const labels = Uint8Array.from({ length: labelCount }, (_, i) => i % 3);
  const pixels = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) pixels.fill(10 * (i % 3), i * 16, (i + 1) * 16);
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${gz ? '.gz' : ''}`), gz ? gzipSync(idx(0x803, [n, 4, 4], pixels)) : idx(0x803, [n, 4, 4], pixels));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx(0x801, [labelCount], labels));
}

const tmp = () => mkdtempSync(join(tmpdir(), 'user-images-'));

describe('loadIdxPair', () => {
  it('reads a pair as [N, H, W, 1] in [0, 1] with classes 0..max', () => {
    const dir = tmp();
    writePair(dir, 'my', 5);
    const { dataset, report } = loadIdxPair(join(dir, 'my-images-idx3-ubyte'), join(dir, 'my-labels-idx1-ubyte'));
    expect(dataset.xShape).toEqual([5, 4, 4, 1]);
    expect(dataset.classes).toEqual(['0', '1', '2']);
    expect([...dataset.y]).toEqual([0, 1, 2, 0, 1]);
    expect(dataset.x[16]).toBeCloseTo(10 / 255, 6);
    expect(report).toMatchObject({ ok: true, samples: 5, countsPerClass: { 0: 2, 1: 2, 2: 1 }, shapes: ['4×4×1'] });
    expect(loadIdxPair(join(dir, 'my-images-idx3-ubyte'), join(dir, 'my-labels-idx1-ubyte'), { size: 2 }).dataset.xShape).toEqual([5, 2, 2, 1]);
  });

  it('names the labels file when the counts differ', () => {
    const dir = tmp();
    writePair(dir, 'my', 5, 4);
    expect(() => loadIdxPair(join(dir, 'my-images-idx3-ubyte'), join(dir, 'my-labels-idx1-ubyte'))).toThrow(
      /my-labels-idx1-ubyte: 4 labels, but my-images-idx3-ubyte holds 5 images — the counts must match/,
    );
  });

  it('rejects a pair given the wrong way round', () => {
    const dir = tmp();
    writePair(dir, 'my', 3);
    expect(() => loadIdxPair(join(dir, 'my-labels-idx1-ubyte'), join(dir, 'my-images-idx3-ubyte'))).toThrow(/^my-labels-idx1-ubyte: wrong magic number 0x00000801/);
  });
});

describe('loadUserImages', () => {
  it('finds a train pair and a t10k pair (gzip too) in a directory', async () => {
    const dir = tmp();
    writePair(dir, 'train', 6, 6, true);
    writePair(dir, 't10k', 3);
    const { dataset, test, report } = await loadUserImages(dir);
    expect(dataset.xShape).toEqual([6, 4, 4, 1]);
    expect(test?.xShape).toEqual([3, 4, 4, 1]);
    expect(report.samples).toBe(6);
  });

  it('takes the path of an images file and finds its labels beside it', async () => {
    const dir = tmp();
    writePair(dir, 'data', 3);
    const { dataset, test } = await loadUserImages(join(dir, 'data-images-idx3-ubyte'));
    expect(dataset.xShape[0]).toBe(3);
    expect(test).toBeUndefined();
  });

  it('names the images file whose labels file is missing', async () => {
    const dir = tmp();
    writePair(dir, 'data', 3);
    copyFileSync(join(dir, 'data-images-idx3-ubyte'), join(dir, 'other-images-idx3-ubyte'));
    await expect(loadUserImages(join(dir, 'other-images-idx3-ubyte'))).rejects.toThrow(/other-images-idx3-ubyte: no labels file "other-labels-idx1-ubyte" next to it \(found data-labels-idx1-ubyte\)/);
    await expect(loadUserImages(dir)).rejects.toThrow(/several IDX image files/);
  });

  it('reads a folder of class subfolders as images', async () => {
    const { dataset } = await loadUserImages(join(import.meta.dirname, '../../fixtures/images'), { size: 8 });
    expect(dataset.xShape).toEqual([12, 8, 8, 1]);
  });

  it('names a path that does not exist or is neither folder nor IDX file', async () => {
    await expect(loadUserImages(join(tmpdir(), 'nope-xyz'))).rejects.toThrow(/nope-xyz: cannot open \(ENOENT\)/);
    const dir = tmp();
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'notes.txt'), 'hi');
    await expect(loadUserImages(join(dir, 'x', 'notes.txt'))).rejects.toThrow(/notes\.txt: not a folder and not an IDX images file/);
  });
});
