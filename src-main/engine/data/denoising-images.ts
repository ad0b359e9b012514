import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { ArrayDataset, DataIssue, ValidationReport } from './dataset.types.js';
import { decodeRgb, IMAGE_EXTENSIONS, readHeader } from './image-folder.js';
import { loadUserImages } from './user-images.js';
import { resizeImage } from './resize.js';
import { Rng } from '../util/rng.js';

/**
 * Clean images to learn denoising from: a plain folder of photos (PNG/JPEG, any sizes, gray or colour;
 * images in subfolders count too), noise is added during training. Each image gives square patches of
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
  /** The images read, in the order of their `subjects` ids (1-based). */
  files: string[];
}

export const DEFAULT_PATCH_SIZE = 32;
const DEFAULT_MAX_PATCHES = 48;
const DEFAULT_MAX_PIXELS = 40_000_000;
/** Training, validation and test each need an image of their own. */
export const MIN_DENOISING_IMAGES = 3;

const HINT =
  'put your clean images (PNG or JPEG, any size, gray or colour) in this folder, or in subfolders of it; ' +
  'noise is added to them during training, so no noisy copies are needed';

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

/** Loads clean images as square patches for denoising; every problem names its file. */
export async function loadDenoisingImages(root: string, options: DenoisingImagesOptions = {}): Promise<DenoisingImagesResult> {
  const p = options.patchSize ?? DEFAULT_PATCH_SIZE;
  const maxPatches = options.maxPatchesPerImage ?? DEFAULT_MAX_PATCHES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const rng = new Rng(options.seed ?? 0);
  const issues: DataIssue[] = [];
  const files = await findImages(root, issues);
  const patches: Float32Array[] = [];
  const owner: number[] = [];
  const used: string[] = [];
  const shapes = new Set<string>();
  let allGray = true;
  let skipped = 0;
  for (const file of files) {
    let decoded;
    try {
      await readHeader(file, maxPixels);
      decoded = decodeRgb(await readFile(file), maxPixels);
    } catch (err) {
      const problem = `cannot read this image (${(err as Error).message})`;
      if (!options.skipBadFiles) throw new Error(`${file}: ${problem}`, { cause: err });
      issues.push({ file, problem: `${problem}; skipped`, severity: 'error' });
      skipped++;
      continue;
    }
    let { rgb, width, height } = decoded;
    shapes.add(`${height}×${width}×${decoded.gray ? 1 : 3}`);
    if (Math.min(width, height) < p) {
      const scale = p / Math.min(width, height);
      const [h2, w2] = [Math.max(p, Math.round(height * scale)), Math.max(p, Math.round(width * scale))];
      issues.push({ file, problem: `${width}×${height} is smaller than a ${p}×${p} patch; scaled up to ${w2}×${h2}`, severity: 'warning' });
      rgb = resizeImage(rgb, height, width, 3, h2, w2);
      [height, width] = [h2, w2];
    }
    allGray &&= decoded.gray;
    used.push(file);
    for (const [top, left] of patchCorners(height, width, p, maxPatches, rng)) {
      const patch = new Float32Array(p * p * 3);
      for (let r = 0; r < p; r++) patch.set(rgb.subarray(((top + r) * width + left) * 3, ((top + r) * width + left + p) * 3), r * p * 3);
      patches.push(patch);
      owner.push(used.length);
    }
  }
  if (used.length < MIN_DENOISING_IMAGES)
    throw new Error(`${root}: ${used.length} usable image${used.length === 1 ? '' : 's'}; denoising needs at least ${MIN_DENOISING_IMAGES} (whole images go to training, validation and test)`);
  const channels = allGray ? 1 : 3;
  const size = p * p * channels;
  const x = new Float32Array(patches.length * size);
  patches.forEach((patch, i) => {
    if (channels === 3) x.set(patch, i * size);
    else for (let k = 0; k < p * p; k++) x[i * size + k] = 0.299 * patch[k * 3] + 0.587 * patch[k * 3 + 1] + 0.114 * patch[k * 3 + 2];
  });
  const dataset: ArrayDataset = {
    name: basename(resolve(root)),
    x,
    xShape: [patches.length, p, p, channels],
    y: new Int32Array(patches.length),
    classes: ['image'],
    subjects: Int32Array.from(owner),
  };
  const report: ValidationReport = {
    ok: issues.every((i) => i.severity !== 'error'),
    samples: patches.length,
    countsPerClass: { [`patches of ${used.length} images`]: patches.length },
    shapes: [...shapes],
    issues,
    skipped,
  };
  return { dataset, report, files: used };
}

const IDX_FILE = /idx[34][-.]ubyte(\.gz)?$/i;

/**
 * Denoising data from a path: IDX files as before (loadUserImages), anything else a folder of clean
 * images cut into patches (no class subfolders needed).
 */
export async function loadDenoisingSource(
  path: string,
  options: DenoisingImagesOptions = {},
): Promise<{ dataset: ArrayDataset; report: ValidationReport; test?: ArrayDataset; files?: string[] }> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot open (${err.code ?? err.message})`, { cause: err });
  });
  const idx = info.isFile() || (await readdir(path)).some((f) => IDX_FILE.test(f));
  if (!idx) return loadDenoisingImages(path, options);
  return loadUserImages(path, { skipBadFiles: options.skipBadFiles, maxPixels: options.maxPixels });
}
