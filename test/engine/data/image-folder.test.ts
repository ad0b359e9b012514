import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadImageFolder, validateImageFolder } from '../../../src-main/engine/data/image-folder.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const images = join(fixtures, 'images');
const bad = join(fixtures, 'bad');

/** A temporary folder laid out from { 'class/file': fixture path or bytes }. */
function folder(layout: Record<string, string | Uint8Array>, dirs: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'image-folder-'));
  for (const [rel, source] of Object.entries(layout)) {
    const target = join(root, rel);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof source === 'string') copyFileSync(source, target);
    else writeFileSync(target, source);
  }
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  return root;
}

const good = {
  'a/1.png': join(images, 'disc/disc-0.png'),
  'a/2.jpg': join(images, 'disc/disc-1.jpg'),
  'b/1.png': join(images, 'frame/frame-0.png'),
};

function range(x: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

afterEach(() => vi.restoreAllMocks());

describe('loadImageFolder', () => {
  it('loads class subfolders of PNG and JPEG of mixed sizes, resized, gray when every image is gray', async () => {
    const { dataset, report } = await loadImageFolder(`${images}/`, { size: 16 });
    expect(dataset.name).toBe('images');
    expect(dataset.classes).toEqual(['disc', 'frame', 'stripes']);
    expect(dataset.xShape).toEqual([12, 16, 16, 1]);
    expect([...dataset.y]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const [lo, hi] = range(dataset.x);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.5);
    expect(report).toMatchObject({ ok: true, samples: 12, countsPerClass: { disc: 4, frame: 4, stripes: 4 }, issues: [], skipped: 0 });
    // Original sizes as height×width×stored channels (jpeg-js always writes 3 components).
    expect(report.shapes.sort()).toEqual(['10×16×3', '12×12×1', '14×9×3', '20×20×1']);
  });

  it('picks the most common size by default, and honours mode and [h, w]', async () => {
    // Every size occurs three times; the tie goes to the largest, 20×20.
    expect((await loadImageFolder(images)).dataset.xShape).toEqual([12, 20, 20, 1]);
    const rgb = await loadImageFolder(images, { size: [8, 12], mode: 'rgb' });
    expect(rgb.dataset.xShape).toEqual([12, 8, 12, 3]);
    // Gray content in RGB mode has equal channels.
    const { x } = rgb.dataset;
    for (let i = 0; i < 300; i += 3) expect(Math.abs(x[i] - x[i + 1])).toBeLessThan(0.03);
  });

  it('loads gray, RGB, RGBA PNGs and a JPEG of different sizes (mixed-modes) as RGB, or gray on request', async () => {
    const mixed = join(bad, 'mixed-modes');
    const { dataset, report } = await loadImageFolder(mixed, { size: 12 });
    expect(dataset.xShape).toEqual([4, 12, 12, 3]);
    expect(dataset.classes).toEqual(['a', 'b']);
    expect(report.ok).toBe(true);
    expect(report.shapes.sort()).toEqual(['11×6×4', '15×15×3', '18×24×3', '7×10×1']);
    const [lo, hi] = range(dataset.x);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    // RGBA is composited over black: the fully transparent corner of rgba.png is black.
    const rgbaIndex = [...dataset.y].indexOf(1) + 1; // b/photo.jpg sorts before b/rgba.png
    expect(dataset.x[rgbaIndex * 12 * 12 * 3]).toBeLessThan(0.1);
    expect((await loadImageFolder(mixed, { size: 12, mode: 'gray' })).dataset.xShape).toEqual([4, 12, 12, 1]);
  });

  it('reports progress per image', async () => {
    const seen: number[] = [];
    await loadImageFolder(folder(good), { size: 4, onProgress: (done, total) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBe(3);
  });
});

describe('loadImageFolder: bad folders', () => {
  it('one-class/: names the folder and says there is only one class', async () => {
    await expect(loadImageFolder(join(bad, 'one-class'))).rejects.toThrow(/one-class: only one class \("only"\): a classifier needs at least two class subfolders/);
  });

  it('an empty folder (made here: git keeps no empty folders)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'empty-folder-'));
    await expect(loadImageFolder(root)).rejects.toThrow(new RegExp(`${root}: the folder is empty`));
  });

  it('images with no class subfolders', async () => {
    const root = folder({ 'x.png': join(images, 'disc/disc-0.png') });
    await expect(loadImageFolder(root)).rejects.toThrow(/: no class subfolders: 1 images lie directly in the folder/);
  });

  it('a missing folder and a file instead of a folder', async () => {
    await expect(loadImageFolder(join(tmpdir(), 'no-such-folder-xyz'))).rejects.toThrow(/no-such-folder-xyz: cannot open the folder \(ENOENT\)/);
    await expect(loadImageFolder(join(bad, 'corrupt.png'))).rejects.toThrow(/corrupt\.png: not a folder/);
  });

  it('an empty class folder: an error naming it, or the class dropped with skipBadFiles', async () => {
    const root = folder(good, ['c']);
    await expect(loadImageFolder(root)).rejects.toThrow(/\/c: empty class folder: no PNG or JPEG images/);
    const { dataset, report } = await loadImageFolder(root, { skipBadFiles: true, size: 4 });
    expect(dataset.classes).toEqual(['a', 'b']);
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual([{ file: join(root, 'c'), problem: expect.stringMatching(/empty class folder/), severity: 'error' }]);
  });

  it('not-an-image/: the .txt is ignored with a warning; the text named .png stops the load, or is skipped', async () => {
    const root = join(bad, 'not-an-image');
    await expect(loadImageFolder(root)).rejects.toThrow(/cats\/fake\.png: not an image: neither PNG nor JPEG \(it starts with text "hello, I am"\)/);
    const { dataset, report } = await loadImageFolder(root, { skipBadFiles: true, size: 8 });
    expect(dataset.xShape).toEqual([2, 8, 8, 1]);
    expect(report.skipped).toBe(1);
    expect(report.countsPerClass).toEqual({ cats: 1, dogs: 1 });
    const byFile = Object.fromEntries(report.issues.map((i) => [i.file.split('/').slice(-2).join('/'), `${i.severity}: ${i.problem}`]));
    expect(byFile['cats/notes.txt']).toMatch(/^warning: not an image \(\.txt\); ignored/);
    expect(byFile['cats/fake.png']).toMatch(/^error: not an image: neither PNG nor JPEG/);
  });

  it('corrupt.png: a valid header with a broken body fails at decoding, naming the file', async () => {
    const root = folder({ ...good, 'b/corrupt.png': join(bad, 'corrupt.png') });
    await expect(loadImageFolder(root)).rejects.toThrow(/b\/corrupt\.png: corrupt PNG: cannot decode/);
    const { dataset, report } = await loadImageFolder(root, { skipBadFiles: true, size: 4 });
    expect(dataset.xShape[0]).toBe(3);
    expect(report.skipped).toBe(1);
    expect(report.issues[0].file).toBe(join(root, 'b/corrupt.png'));
  });

  it('a class that loses every image to decode errors is dropped', async () => {
    const root = folder({ ...good, 'c/corrupt.png': join(bad, 'corrupt.png') });
    const { dataset, report } = await loadImageFolder(root, { skipBadFiles: true, size: 4 });
    expect(dataset.classes).toEqual(['a', 'b']);
    expect(Math.max(...dataset.y)).toBe(1);
    expect(report.issues.map((i) => i.problem)).toContainEqual(expect.stringMatching(/no usable images left in this class; the class is dropped/));
  });

  it('huge-header.png: refused from its header (20000×20000) without decoding', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const root = folder({ ...good, 'b/huge-header.png': join(bad, 'huge-header.png') });
    await expect(loadImageFolder(root)).rejects.toThrow(/b\/huge-header\.png: the header says 20000×20000 \(400 MP\), above the limit of 40 MP; not decoded/);
    const { report } = await loadImageFolder(root, { skipBadFiles: true, size: 4 });
    expect(report.skipped).toBe(1);
    expect(decode.mock.calls.length).toBe(2); // a/1.png and b/1.png, never the huge one
  });

  it('a zero-byte file', async () => {
    const root = folder({ ...good, 'b/empty.png': new Uint8Array(0) });
    await expect(loadImageFolder(root)).rejects.toThrow(/b\/empty\.png: empty file \(0 bytes\)/);
  });

  it('a JPEG cut off before its frame header', async () => {
    const root = folder({ ...good, 'b/cut.jpg': Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2) });
    await expect(loadImageFolder(root)).rejects.toThrow(/b\/cut\.jpg: corrupt JPEG: no frame header/);
  });
});

describe('validateImageFolder', () => {
  it('reports counts, shapes and every issue from headers alone', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const root = folder({ ...good, 'b/huge.png': join(bad, 'huge-header.png'), 'b/fake.png': join(bad, 'not-an-image/cats/fake.png') });
    const report = await validateImageFolder(root);
    expect(decode).not.toHaveBeenCalled();
    expect(report.samples).toBe(3);
    expect(report.countsPerClass).toEqual({ a: 2, b: 1 });
    expect(report.skipped).toBe(2);
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => i.file.split('/').pop())).toEqual(['fake.png', 'huge.png']);
  });
});
