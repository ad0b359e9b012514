import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { ArrayDataset, DataIssue } from '../dataset.types.js';
import { concatDatasets } from './concat-datasets.js';
import { UCI_HAR_CHANNELS } from './synthetic-har.js';
import { isUciHarFolder, loadUciHar } from './uci-har.importer.js';
import { looksLikeWisdm, loadWisdm } from './wisdm.importer.js';
import { loadCsvHar } from './csv-har.importer.js';
import { isRecordingFolders, loadRecordingFolders, type HarTiming, type RecordingFolderOptions, type RecordingInfo } from './recording-folders.importer.js';

export type HarFormat = 'uci-har' | 'wisdm' | 'csv' | 'recordings';

export interface LoadHarOptions extends Omit<RecordingFolderOptions, 'skipBadFiles'> {
  /** Force a format instead of detecting it. */
  format?: HarFormat;
  /** Window length in samples (WISDM, CSV); UCI HAR comes windowed (128). */
  windowSize?: number;
  /** Window overlap fraction in [0, 1) (WISDM, CSV). */
  overlap?: number;
  /** WISDM: throw on a broken record instead of skipping it. */
  strict?: boolean;
  /** CSV folder: skip broken files instead of failing. */
  skipBadFiles?: boolean;
}

export interface LoadedHar {
  format: HarFormat;
  /** Every window. */
  dataset: ArrayDataset;
  /** The publisher's own split when the format has one (UCI HAR); otherwise use splitBySubject. */
  predefinedSplit?: { train: ArrayDataset; test: ArrayDataset };
  issues: DataIssue[];
  skipped: number;
  /** Recordings folders: one entry per recording (its `id` is the windows' subject id). */
  recordings?: RecordingInfo[];
  /** Sample rate and windows, where the format tells them. */
  timing?: HarTiming;
  /** Channel names in input order, and every column a recording has, where the format names them. */
  channels?: string[];
  columns?: string[];
}

/** WISDM v1.1: an accelerometer sampled at 20 Hz (Kwapisz et al., 2010). */
const WISDM_HZ = 20;

/** UCI HAR: 50 Hz, windows of 2.56 s (128 samples) with 50 % overlap (Anguita et al., 2013). */
export const UCI_HAR_TIMING: HarTiming = { sampleRateHz: 50, windowSeconds: 2.56, strideSeconds: 1.28, windowSamples: 128, strideSamples: 64 };

function head(file: string, bytes = 4096): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function detectHarFormat(path: string): HarFormat {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) return isUciHarFolder(path) ? 'uci-har' : isRecordingFolders(path) ? 'recordings' : 'csv';
  return looksLikeWisdm(head(path)) ? 'wisdm' : 'csv';
}

/** Loads HAR data from a UCI HAR folder, a WISDM raw file, CSV file(s) or a folder per class of recordings, detecting which. */
export function loadHar(path: string, options: LoadHarOptions = {}): LoadedHar {
  const format = options.format ?? detectHarFormat(path);
  const win = { windowSize: options.windowSize, overlap: options.overlap };
  switch (format) {
    case 'uci-har': {
      const split = loadUciHar(path);
      const dataset = concatDatasets([split.train, split.test], `UCI HAR (${path})`);
      return { format, dataset, predefinedSplit: split, issues: [], skipped: 0, timing: UCI_HAR_TIMING, channels: [...UCI_HAR_CHANNELS] };
    }
    case 'wisdm': {
      const r = loadWisdm(path, { ...win, strict: options.strict });
      const size = r.dataset.xShape[1];
      const stride = Math.max(1, Math.round(size * (1 - (options.overlap ?? 0.5))));
      const timing = { sampleRateHz: WISDM_HZ, windowSeconds: size / WISDM_HZ, strideSeconds: stride / WISDM_HZ, windowSamples: size, strideSamples: stride };
      return { format, ...r, timing, channels: ['x', 'y', 'z'] };
    }
    case 'csv': {
      const r = loadCsvHar(path, { ...win, skipBadFiles: options.skipBadFiles });
      return { format, ...r };
    }
    case 'recordings': {
      const { sampleRateHz, windowSeconds, strideSeconds, columns, skipBadFiles } = options;
      return { format, ...loadRecordingFolders(path, { sampleRateHz, windowSeconds, strideSeconds, columns, skipBadFiles }) };
    }
  }
}
