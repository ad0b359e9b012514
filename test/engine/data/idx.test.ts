import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesToUnitFloat, parseIdx, readIdxImages, readIdxLabels } from '../../../src-main/engine/data/idx.js';

function idxBytes(magic: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
const fixtures = join(import.meta.dirname, '../../fixtures/bad');

describe('IDX reader', () => {
  it('reads images and labels with their dimensions', () => {
    const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const imagesFile = join(dir, 'x-images-idx3-ubyte');
    writeFileSync(imagesFile, idxBytes(0x803, [2, 3, 4], pixels));
    const labelsFile = join(dir, 'x-labels-idx1-ubyte');
    writeFileSync(labelsFile, idxBytes(0x801, [2], Uint8Array.of(7, 3)));
    const images = readIdxImages(imagesFile);
    expect(images.dims).toEqual([2, 3, 4]);
    expect([...images.data]).toEqual([...pixels]);
    const labels = readIdxLabels(labelsFile);
    expect(labels.dims).toEqual([2]);
    expect([...labels.data]).toEqual([7, 3]);
  });

  it('accepts gzip-compressed files', () => {
    const file = join(dir, 'y-labels-idx1-ubyte.gz');
    writeFileSync(file, gzipSync(idxBytes(0x801, [3], Uint8Array.of(1, 2, 3))));
    expect([...readIdxLabels(file).data]).toEqual([1, 2, 3]);
  });

  it('names the file and the byte counts when the pixels are truncated', () => {
    expect(() => readIdxImages(join(fixtures, 'truncated-images-idx3-ubyte'))).toThrow(
      /^truncated-images-idx3-ubyte: truncated: header says 100×28×28 = 78400 bytes of pixels, the file has 1024/,
    );
  });

  it('names the file and the magic number when the magic is wrong', () => {
    expect(() => readIdxImages(join(fixtures, 'wrong-magic-idx3-ubyte'))).toThrow(/^wrong-magic-idx3-ubyte: wrong magic number 0x00000802, expected 0x00000803/);
  });

  it('rejects labels read as images and images read as labels', () => {
    const file = join(dir, 'z-labels-idx1-ubyte');
    writeFileSync(file, idxBytes(0x801, [1], Uint8Array.of(0)));
    expect(() => readIdxImages(file)).toThrow(/z-labels-idx1-ubyte: wrong magic number 0x00000801/);
    const images = join(dir, 'z-images-idx3-ubyte');
    writeFileSync(images, idxBytes(0x803, [1, 1, 1], Uint8Array.of(0)));
    expect(() => readIdxLabels(images)).toThrow(/z-images-idx3-ubyte: wrong magic number 0x00000803, expected 0x00000801/);
  });

  it('reports a header cut short, an empty file, extra data, corrupt gzip and a missing file', () => {
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0), 'short')).toThrow(/^short: truncated: the header needs 16 bytes/);
    expect(() => parseIdx(new Uint8Array(0), 'empty')).toThrow(/^empty: the file is empty/);
    expect(() => parseIdx(idxBytes(0x801, [1], Uint8Array.of(1, 2)), 'extra')).toThrow(/^extra: header says 1 = 1 bytes of labels, but the file has 2/);
    expect(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), 'bad.gz')).toThrow(/^bad.gz: gzip data is corrupt/);
    expect(() => readIdxLabels(join(dir, 'missing-labels'))).toThrow(/^missing-labels: cannot read the file \(ENOENT\)/);
    expect(() => parseIdx(idxBytes(0x803, [70000, 70000, 70000], new Uint8Array(0)), 'huge')).toThrow(/^huge: header dimensions 70000×70000×70000 are absurd/);
  });

  it('maps bytes to [0, 1]', () => {
    expect([...bytesToUnitFloat(Uint8Array.of(0, 255, 51))].map((v) => +v.toFixed(4))).toEqual([0, 1, 0.2]);
  });
});
