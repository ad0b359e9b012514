import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { ArrayDataset, DataIssue } from '../dataset.types.js';
import { concatDatasets } from './concat-datasets.js';
import { isUciHarFolder, loadUciHar } from './uci-har.importer.js';
import { looksLikeWisdm, loadWisdm } from './wisdm.importer.js';
import { loadCsvHar } from './csv-har.importer.js';

export type HarFormat = 'uci-har' | 'wisdm' | 'csv';

export interface LoadHarOptions {
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
}

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
  if (statSync(path).isDirectory()) return isUciHarFolder(path) ? 'uci-har' : 'csv';
  return looksLikeWisdm(head(path)) ? 'wisdm' : 'csv';
}

/** Loads a HAR recording from a UCI HAR folder, a WISDM raw file, or CSV file(s), detecting which. */
export function loadHar(path: string, options: LoadHarOptions = {}): LoadedHar {
  const format = options.format ?? detectHarFormat(path);
  const win = { windowSize: options.windowSize, overlap: options.overlap };
  switch (format) {
    case 'uci-har': {
      const split = loadUciHar(path);
      return { format, dataset: concatDatasets([split.train, split.test], `UCI HAR (${path})`), predefinedSplit: split, issues: [], skipped: 0 };
    }
    case 'wisdm': {
      const r = loadWisdm(path, { ...win, strict: options.strict });
      return { format, ...r };
    }
    case 'csv': {
      const r = loadCsvHar(path, { ...win, skipBadFiles: options.skipBadFiles });
      return { format, ...r };
    }
  }
}
