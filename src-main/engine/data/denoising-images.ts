import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { ArrayDataset, DataIssue, ValidationReport } from './dataset.types.js';
import { decodeRgb, IMAGE_EXTENSIONS, readHeader } from './image-folder.js';
import { loadUserImages } from './user-images.js';
import { resizeImage } from './resize.js';
import { Rng } from '../util/rng.js';

/**
 * Images to learn denoising from: a plain folder of clean photos (PNG/JPEG, any sizes, gray or colour;
 * images in subfolders count too), noise is added during training; or real pairs, `noisy/` and `clean/`
 * subfolders with images of the same names. Each image gives square patches of
 * the model's size at seeded positions; an image smaller than a patch is scaled up to one. The patches
 * of one image carry its index in `subjects`, so the test and validation splits hold whole images.
 */

export interface DenoisingImagesOptions {
  /** Side of the square patches the model sees. Default 32. */
  patchSize?: number;
  /** Patches cut from one image at most (a 12 MP photo would give thousands). Default 48. */
  maxPatchesPerImage?: number;
  skipBadFiles?: boolean;
  maxPixels?: number;
  seed?: number;
}

export interface DenoisingImagesResult {
  dataset: ArrayDataset;
  report: ValidationReport;
  /** The (clean) images read, in the order of their `subjects` ids (1-based). */
  files: string[];
  /** Noisy/clean pairs: samples hold both, noisy first in the channels. */
  paired: boolean;
}

export const DEFAULT_PATCH_SIZE = 32;
const DEFAULT_MAX_PATCHES = 48;
const DEFAULT_MAX_PIXELS = 40_000_000;
/** Training, validation and test each need an image of their own. */
export const MIN_DENOISING_IMAGES = 3;

const HINT =
  'put your clean images (PNG or JPEG, any size, gray or colour) in this folder, or in subfolders of it; ' +
  'noise is added to them during training, so no noisy copies are needed; ' +
  'or, for real noise, pairs in noisy/ and clean/ subfolders with the same names';

const isHidden = (name: string) => name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini';
const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
const isImage = (name: string) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

/** Images in the folder and one level of subfolders, sorted; other files are listed as warnings. */
async function findImages(root: string, issues: DataIssue[]): Promise<string[]> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    throw new Error(`${root}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  if (!info.isDirectory()) throw new Error(`${root}: not a folder: ${HINT}`);
  const images: string[] = [];
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => !isHidden(e.name)).sort((a, b) => byName(a.name, b.name));
  for (const e of entries) {
    const path = join(root, e.name);
    if (e.isDirectory()) {
      const inner = (await readdir(path, { withFileTypes: true })).filter((f) => f.isFile() && !isHidden(f.name)).map((f) => f.name).sort(byName);
      for (const f of inner) {
        if (isImage(f)) images.push(join(path, f));
        else issues.push({ file: join(path, f), problem: 'not a PNG or JPEG; ignored', severity: 'warning' });
      }
    } else if (isImage(e.name)) images.push(path);
    else issues.push({ file: path, problem: 'not a PNG or JPEG; ignored', severity: 'warning' });
  }
  if (images.length === 0) throw new Error(`${root}: no images: ${HINT}`);
  return images;
}

/** Patch corners: a grid over the image, a seeded choice of at most `max` of them. */
function patchCorners(h: number, w: number, p: number, max: number, rng: Rng): [number, number][] {
  const corners: [number, number][] = [];
  const rows = Math.floor(h / p);
  const cols = Math.floor(w / p);
  // Centre the grid so both borders lose the same margin.
  const top = Math.floor((h - rows * p) / 2);
  const left = Math.floor((w - cols * p) / 2);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) corners.push([top + r * p, left + c * p]);
  if (corners.length <= max) return corners;
  return (rng.shuffle(corners) as [number, number][]).slice(0, max);
}

interface Decoded {
  rgb: Float32Array;
  width: number;
  height: number;
  gray: boolean;
}

async function decodeFile(file: string, maxPixels: number): Promise<Decoded> {
  await readHeader(file, maxPixels);
  return decodeRgb(await readFile(file), maxPixels);
}

/** Scales an image whose short side is under `p` up to `p` (keeping its aspect). */
function atLeast(img: Decoded, p: number): Decoded {
  if (Math.min(img.width, img.height) >= p) return img;
  const scale = p / Math.min(img.width, img.height);
  const [h2, w2] = [Math.max(p, Math.round(img.height * scale)), Math.max(p, Math.round(img.width * scale))];
  return { ...img, rgb: resizeImage(img.rgb, img.height, img.width, 3, h2, w2), width: w2, height: h2 };
}

function cut(img: Decoded, top: number, left: number, p: number): Float32Array {
  const patch = new Float32Array(p * p * 3);
  for (let r = 0; r < p; r++) patch.set(img.rgb.subarray(((top + r) * img.width + left) * 3, ((top + r) * img.width + left + p) * 3), r * p * 3);
  return patch;
}

/** RGB patch → `channels` values per pixel (luma for gray) written at `offset` with a stride of `stride`. */
function put(x: Float32Array, patch: Float32Array, at: number, stride: number, channels: number): void {
  for (let k = 0; k < patch.length / 3; k++) {
    if (channels === 3) for (let c = 0; c < 3; c++) x[at + k * stride + c] = patch[k * 3 + c];
    else x[at + k * stride] = 0.299 * patch[k * 3] + 0.587 * patch[k * 3 + 1] + 0.114 * patch[k * 3 + 2];
  }
}

/**
 * Loads denoising data as square patches; every problem names its file. A plain folder gives clean
 * patches [N, p, p, C]. `noisy/` and `clean/` subfolders with images of the same names give pairs, cut
 * at the same places and stored side by side in the channels, noisy first: [N, p, p, 2C].
 */
export async function loadDenoisingImages(root: string, options: DenoisingImagesOptions = {}): Promise<DenoisingImagesResult> {
  const p = options.patchSize ?? DEFAULT_PATCH_SIZE;
  const maxPatches = options.maxPatchesPerImage ?? DEFAULT_MAX_PATCHES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const rng = new Rng(options.seed ?? 0);
  const issues: DataIssue[] = [];
  const pairs = await findPairs(root, issues);
  const items = pairs ?? (await findImages(root, issues)).map((clean) => ({ clean, noisy: undefined as string | undefined }));
  const patches: { clean: Float32Array; noisy?: Float32Array }[] = [];
  const owner: number[] = [];
  const used: string[] = [];
  const shapes = new Set<string>();
  let allGray = true;
  let skipped = 0;
  const fail = (file: string, problem: string, cause?: unknown) => {
    if (!options.skipBadFiles) throw new Error(`${file}: ${problem}`, { cause });
    issues.push({ file, problem: `${problem}; skipped`, severity: 'error' });
    skipped++;
  };
  for (const { clean: file, noisy: noisyFile } of items) {
    let clean: Decoded;
    let noisy: Decoded | undefined;
    try {
      clean = await decodeFile(file, maxPixels);
    } catch (err) {
      fail(file, `cannot read this image (${(err as Error).message})`, err);
      continue;
    }
    if (noisyFile) {
      try {
        noisy = await decodeFile(noisyFile, maxPixels);
      } catch (err) {
        fail(noisyFile, `cannot read this image (${(err as Error).message})`, err);
        continue;
      }
      if (noisy.width !== clean.width || noisy.height !== clean.height) {
        fail(noisyFile, `${noisy.width}×${noisy.height}, but its clean image ${basename(file)} is ${clean.width}×${clean.height}; a pair must match pixel for pixel`);
        continue;
      }
    }
    shapes.add(`${clean.height}×${clean.width}×${clean.gray ? 1 : 3}`);
    if (Math.min(clean.width, clean.height) < p) {
      issues.push({ file, problem: `${clean.width}×${clean.height} is smaller than a ${p}×${p} patch; scaled up`, severity: 'warning' });
      clean = atLeast(clean, p);
      if (noisy) noisy = atLeast(noisy, p);
    }
    allGray &&= clean.gray && (noisy?.gray ?? true);
    used.push(file);
    for (const [top, left] of patchCorners(clean.height, clean.width, p, maxPatches, rng)) {
      patches.push({ clean: cut(clean, top, left, p), ...(noisy ? { noisy: cut(noisy, top, left, p) } : {}) });
      owner.push(used.length);
    }
  }
  const what = pairs ? 'noisy/clean pair' : 'image';
  if (used.length < MIN_DENOISING_IMAGES)
    throw new Error(`${root}: ${used.length} usable ${what}${used.length === 1 ? '' : 's'}; denoising needs at least ${MIN_DENOISING_IMAGES} (whole images go to training, validation and test)`);
  const channels = allGray ? 1 : 3;
  const perPixel = pairs ? 2 * channels : channels;
  const size = p * p * perPixel;
  const x = new Float32Array(patches.length * size);
  patches.forEach((patch, i) => {
    if (patch.noisy) put(x, patch.noisy, i * size, perPixel, channels);
    put(x, patch.clean, i * size + (patch.noisy ? channels : 0), perPixel, channels);
  });
  const dataset: ArrayDataset = {
    name: basename(resolve(root)),
    x,
    xShape: [patches.length, p, p, perPixel],
    y: new Int32Array(patches.length),
    classes: ['image'],
    subjects: Int32Array.from(owner),
  };
  const report: ValidationReport = {
    ok: issues.every((i) => i.severity !== 'error'),
    samples: patches.length,
    countsPerClass: { [`patches of ${used.length} ${what}s`]: patches.length },
    shapes: [...shapes],
    issues,
    skipped,
  };
  return { dataset, report, files: used, paired: pairs !== undefined };
}

/** `noisy/` and `clean/` subfolders (any case): their images matched by name without extension; undefined otherwise. */
async function findPairs(root: string, issues: DataIssue[]): Promise<{ clean: string; noisy: string }[] | undefined> {
  const dirs = await readdir(root, { withFileTypes: true }).catch(() => []);
  const clean = dirs.find((d) => d.isDirectory() && d.name.toLowerCase() === 'clean')?.name;
  const noisy = dirs.find((d) => d.isDirectory() && d.name.toLowerCase() === 'noisy')?.name;
  if (!clean || !noisy) return undefined;
  const list = async (dir: string) => new Map((await readdir(join(root, dir))).filter((f) => !isHidden(f) && isImage(f)).map((f) => [f.slice(0, f.length - extname(f).length), join(root, dir, f)]));
  const [c, n] = [await list(clean), await list(noisy)];
  const pairs: { clean: string; noisy: string }[] = [];
  for (const [name, file] of [...c].sort((a, b) => byName(a[0], b[0]))) {
    const partner = n.get(name);
    if (partner) pairs.push({ clean: file, noisy: partner });
    else issues.push({ file, problem: `no image named "${name}" in ${noisy}/; left out`, severity: 'warning' });
  }
  for (const [name, file] of n) if (!c.has(name)) issues.push({ file, problem: `no image named "${name}" in ${clean}/; left out`, severity: 'warning' });
  if (pairs.length === 0) throw new Error(`${root}: no pairs: the images in ${noisy}/ and ${clean}/ must have the same names (e.g. ${noisy}/001.png and ${clean}/001.png)`);
  return pairs;
}

const IDX_FILE = /idx[34][-.]ubyte(\.gz)?$/i;

/**
 * Denoising data from a path: IDX files as before (loadUserImages), anything else a folder of clean
 * images cut into patches (no class subfolders needed).
 */
export async function loadDenoisingSource(
  path: string,
  options: DenoisingImagesOptions = {},
): Promise<{ dataset: ArrayDataset; report: ValidationReport; test?: ArrayDataset; files?: string[]; paired?: boolean }> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot open (${err.code ?? err.message})`, { cause: err });
  });
  const idx = info.isFile() || (await readdir(path)).some((f) => IDX_FILE.test(f));
  if (!idx) return loadDenoisingImages(path, options);
  return loadUserImages(path, { skipBadFiles: options.skipBadFiles, maxPixels: options.maxPixels });
}
