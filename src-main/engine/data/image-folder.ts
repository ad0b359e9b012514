import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { ArrayDataset, DataIssue, ValidationReport } from './dataset.types.js';
import { HEADER_PROBE_BYTES, HeaderProblem, isPng, readImageHeader, type ImageHeader } from './image-header.js';
import { resizeImage } from './resize.js';

export type ColorMode = 'auto' | 'gray' | 'rgb';

export interface ImageFolderOptions {
  /** Target [height, width] (or one number for a square). Default: the most common size, shrunk to fit 64×64. */
  size?: number | [number, number];
  /** 'auto' gives one gray channel when every image is gray, else RGB. Default 'auto'. */
  mode?: ColorMode;
  /** Skip unreadable files (listed in the report) instead of stopping at the first. Default false. */
  skipBadFiles?: boolean;
  /** Largest image accepted, in pixels, judged from the header before decoding. Default 40 MP. */
  maxPixels?: number;
  /** Called after each decoded image. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImageFolderResult {
  dataset: ArrayDataset;
  report: ValidationReport;
}

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const DEFAULT_MAX_PIXELS = 40_000_000;
const DEFAULT_MAX_SIDE = 64;
/** Channel spread (0..255) under which a decoded RGB pixel still counts as gray: JPEG chroma rounding. */
const GRAY_TOLERANCE = 3;

interface Candidate {
  file: string;
  classIndex: number;
  header?: ImageHeader;
}

const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
const isHidden = (name: string) => name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini';

/** Stops at the first error unless bad files are skipped; every message names the file. */
class IssueLog {
  readonly issues: DataIssue[] = [];
  constructor(private readonly skipBadFiles: boolean) {}

  error(file: string, problem: string): void {
    if (!this.skipBadFiles) throw new Error(`${file}: ${problem}`);
    this.issues.push({ file, problem, severity: 'error' });
  }

  warn(file: string, problem: string): void {
    this.issues.push({ file, problem, severity: 'warning' });
  }
}

/** Folder-level problems no option can skip. */
function fatal(file: string, problem: string): never {
  throw new Error(`${file}: ${problem}`);
}

/** Finds the class subfolders and the image files in them; structure problems throw at once. */
async function scanFolder(root: string, log: IssueLog): Promise<{ classes: string[]; candidates: Candidate[] }> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    fatal(root, `cannot open the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!info.isDirectory()) fatal(root, 'not a folder: choose a folder holding one subfolder per class');
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => !isHidden(e.name));
  if (entries.length === 0) fatal(root, 'the folder is empty: it needs one subfolder of images per class');
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(byName);
  if (dirs.length === 0) {
    const images = entries.filter((e) => IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())).length;
    fatal(root, `no class subfolders: ${images ? `${images} images lie directly in the folder; ` : ''}put the images of each class in a subfolder named after the class (e.g. cat/1.png, dog/1.png)`);
  }
  if (dirs.length === 1) fatal(root, `only one class ("${dirs[0]}"): a classifier needs at least two class subfolders`);
  for (const e of entries) if (!e.isDirectory()) log.warn(join(root, e.name), 'not inside a class subfolder; ignored');

  const classes: string[] = [];
  const candidates: Candidate[] = [];
  for (const dir of dirs) {
    const classDir = join(root, dir);
    const files = (await readdir(classDir, { withFileTypes: true })).filter((e) => !isHidden(e.name)).sort((a, b) => byName(a.name, b.name));
    const images: string[] = [];
    for (const f of files) {
      const file = join(classDir, f.name);
      if (f.isDirectory()) log.warn(file, 'a folder inside a class folder; ignored (classes are one level deep)');
      else if (!IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase())) log.warn(file, `not an image (${extname(f.name) || 'no extension'}); ignored — only .png, .jpg and .jpeg are read`);
      else images.push(file);
    }
    if (images.length === 0) {
      log.error(classDir, 'empty class folder: no PNG or JPEG images; the class is dropped');
      continue;
    }
    const classIndex = classes.push(dir) - 1;
    for (const file of images) candidates.push({ file, classIndex });
  }
  return { classes, candidates };
}

export async function readHeader(file: string, maxPixels: number): Promise<ImageHeader> {
  const handle = await open(file, 'r');
  let header: ImageHeader | 'need-more';
  try {
    const size = (await handle.stat()).size;
    const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    await handle.read(probe, 0, probe.length, 0);
    header = readImageHeader(probe, probe.length === size);
  } finally {
    await handle.close();
  }
  if (header === 'need-more') header = readImageHeader(await readFile(file), true) as ImageHeader;
  const { width, height } = header;
  if (width === 0 || height === 0) throw new HeaderProblem(`the header says ${width}×${height}: an image with no pixels`);
  if (width * height > maxPixels) {
    throw new HeaderProblem(`the header says ${width}×${height} (${((width * height) / 1e6).toFixed(0)} MP), above the limit of ${(maxPixels / 1e6).toFixed(0)} MP; not decoded`);
  }
  return header;
}

/** Decodes to RGB floats in [0, 1], alpha composited over black (the MNIST convention: ink on black). */
export function decodeRgb(bytes: Buffer, maxPixels: number): { rgb: Float32Array; width: number; height: number; gray: boolean } {
  let data: Uint8Array;
  let width: number;
  let height: number;
  if (isPng(bytes)) {
    const png = PNG.sync.read(bytes);
    ({ data, width, height } = png);
  } else {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: Math.ceil(maxPixels / 1e6), maxMemoryUsageInMB: 1024 });
    ({ data, width, height } = img);
  }
  const rgb = new Float32Array(width * height * 3);
  let gray = true;
  for (let p = 0, q = 0; p < data.length; p += 4, q += 3) {
    const r = data[p];
    const g = data[p + 1];
    const b = data[p + 2];
    const alpha = data[p + 3] / 255;
    if (gray && (Math.abs(r - g) > GRAY_TOLERANCE || Math.abs(r - b) > GRAY_TOLERANCE)) gray = false;
    rgb[q] = (r / 255) * alpha;
    rgb[q + 1] = (g / 255) * alpha;
    rgb[q + 2] = (b / 255) * alpha;
  }
  return { rgb, width, height, gray };
}

/** The most common header size, shrunk (keeping its aspect) to fit DEFAULT_MAX_SIDE. */
function defaultSize(headers: ImageHeader[]): [number, number] {
  const counts = new Map<string, { h: number; w: number; n: number }>();
  for (const { height: h, width: w } of headers) {
    const key = `${h}x${w}`;
    const entry = counts.get(key) ?? { h, w, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || b.h * b.w - a.h * a.w)[0];
  const shrink = Math.min(1, DEFAULT_MAX_SIDE / Math.max(best.h, best.w));
  return [Math.max(1, Math.round(best.h * shrink)), Math.max(1, Math.round(best.w * shrink))];
}

export function parseSize(size: number | [number, number]): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0 && h <= 4096 && w <= 4096)) {
    throw new Error(`image size must be whole numbers between 1 and 4096, got ${h}×${w}`);
  }
  return [h, w];
}

/** Drops classes left with no usable image and renumbers the rest; fewer than two classes is fatal. */
function keepNonEmptyClasses(root: string, classes: string[], candidates: Candidate[], log: IssueLog): string[] {
  const used = new Set(candidates.map((c) => c.classIndex));
  const kept: string[] = [];
  const renumber = new Map<number, number>();
  classes.forEach((name, i) => {
    if (used.has(i)) renumber.set(i, kept.push(name) - 1);
    else log.warn(join(root, name), 'no usable images left in this class; the class is dropped');
  });
  for (const c of candidates) c.classIndex = renumber.get(c.classIndex)!;
  if (kept.length === 0) fatal(root, 'no usable images in any class folder');
  if (kept.length === 1) fatal(root, `only one class ("${kept[0]}") has usable images: a classifier needs at least two`);
  return kept;
}

function buildReport(classes: string[], candidates: Candidate[], log: IssueLog, skipped: number, shapes: Set<string>): ValidationReport {
  const countsPerClass: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const c of candidates) countsPerClass[classes[c.classIndex]]++;
  return {
    ok: log.issues.every((i) => i.severity !== 'error'),
    samples: candidates.length,
    countsPerClass,
    shapes: [...shapes],
    issues: log.issues,
    skipped,
  };
}

const headerShape = (h: ImageHeader) => `${h.height}×${h.width}×${h.channels}`;

/** Checks a class folder from file headers alone (nothing decoded): what loadImageFolder would read. */
export async function validateImageFolder(root: string, options: Pick<ImageFolderOptions, 'skipBadFiles' | 'maxPixels'> = {}): Promise<ValidationReport> {
  const { classes, candidates, log, skipped } = await checkHeaders(root, options.skipBadFiles ?? true, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  return buildReport(classes, candidates, log, skipped, new Set(candidates.map((c) => headerShape(c.header!))));
}

async function checkHeaders(root: string, skipBadFiles: boolean, maxPixels: number) {
  const log = new IssueLog(skipBadFiles);
  const scanned = await scanFolder(root, log);
  const candidates: Candidate[] = [];
  let skipped = 0;
  for (const c of scanned.candidates) {
    try {
      c.header = await readHeader(c.file, maxPixels);
      candidates.push(c);
    } catch (err) {
      const problem = err instanceof HeaderProblem ? err.message : `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      log.error(c.file, problem);
      skipped++;
    }
  }
  const classes = keepNonEmptyClasses(root, scanned.classes, candidates, log);
  return { classes, candidates, log, skipped };
}

/**
 * Loads a folder of class subfolders (PNG/JPEG, any sizes) as one dataset, resized to a common size.
 * Headers are checked first, so an absurd or broken file is reported before any pixel is decoded.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderResult> {
  const skipBadFiles = options.skipBadFiles ?? false;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const mode = options.mode ?? 'auto';
  const checked = await checkHeaders(root, skipBadFiles, maxPixels);
  const { log } = checked;
  let { classes } = checked;
  let skipped = checked.skipped;
  const [outH, outW] = options.size === undefined ? defaultSize(checked.candidates.map((c) => c.header!)) : parseSize(options.size);
  const pixels = outH * outW;

  // Decoded images are kept as RGB at the target size; 'auto' can only choose gray after seeing all.
  const rgb = new Float32Array(checked.candidates.length * pixels * 3);
  const candidates: Candidate[] = [];
  const shapes = new Set<string>();
  let allGray = true;
  for (const c of checked.candidates) {
    try {
      const decoded = decodeRgb(await readFile(c.file), maxPixels);
      rgb.set(resizeImage(decoded.rgb, decoded.height, decoded.width, 3, outH, outW), candidates.length * pixels * 3);
      allGray &&= c.header!.grayByFormat || decoded.gray;
      shapes.add(headerShape(c.header!));
      candidates.push(c);
    } catch (err) {
      log.error(c.file, `corrupt ${c.header!.format === 'png' ? 'PNG' : 'JPEG'}: cannot decode (${(err as Error).message})`);
      skipped++;
    }
    options.onProgress?.(candidates.length + skipped - checked.skipped, checked.candidates.length);
  }
  // Some classes may have lost every image to decode errors.
  if (candidates.length < checked.candidates.length) classes = keepNonEmptyClasses(root, classes, candidates, log);

  const n = candidates.length;
  const channels = mode === 'rgb' || (mode === 'auto' && !allGray) ? 3 : 1;
  let x: Float32Array;
  if (channels === 3) x = rgb.slice(0, n * pixels * 3);
  else {
    x = new Float32Array(n * pixels);
    for (let i = 0, q = 0; i < x.length; i++, q += 3) x[i] = 0.299 * rgb[q] + 0.587 * rgb[q + 1] + 0.114 * rgb[q + 2];
  }
  const dataset: ArrayDataset = {
    name: basename(resolve(root)),
    x,
    xShape: [n, outH, outW, channels],
    y: Int32Array.from(candidates, (c) => c.classIndex),
    classes,
  };
  return { dataset, report: buildReport(classes, candidates, log, skipped, shapes) };
}
