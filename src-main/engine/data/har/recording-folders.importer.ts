import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { ArrayDataset, DataIssue } from '../dataset.types.js';
import { resampleRecording } from './resample.js';
import { recordingRate, type RateSource } from './sample-rate.js';
import { channelCandidates, parseSensorTable, type SensorTable } from './sensor-table.js';
import { windowRuns } from './windowing.js';

/**
 * A folder per activity, each holding recordings (one file per session): what sensor boards, phone
 * loggers and acquisition tools give. The folder name is the label; every recording is resampled to
 * one rate and cut into windows set in seconds. Each recording gets its own id (the dataset's
 * `subjects`), so splits keep a recording's windows together.
 */

export interface RecordingFolderOptions {
  /** Rate of recordings without a time column (else the file name's `26Hz` is used). */
  sampleRateHz?: number;
  /** Window length and stride in seconds. Default 2.56 s (UCI HAR's) and half of it. */
  windowSeconds?: number;
  strideSeconds?: number;
  /** Channel columns by name (col1…colN for files without a header). Default: every numeric column but time. */
  columns?: string[];
  /** Skip a broken file (listed as an issue) instead of stopping. */
  skipBadFiles?: boolean;
}

export interface RecordingInfo {
  file: string;
  label: string;
  /** 1-based, the id its windows carry in `subjects`. */
  id: number;
  /** The rate it was recorded at, and where that came from. */
  rateHz: number;
  rateSource: RateSource;
  /** Seconds of signal, and windows cut from it. */
  seconds: number;
  windows: number;
  /** The first PREVIEW_SECONDS at the common rate, samples × channels row-major: what the wizard plots. */
  head: Float32Array;
}

export interface HarTiming {
  /** The one rate every recording was resampled to. */
  sampleRateHz: number;
  windowSeconds: number;
  strideSeconds: number;
  windowSamples: number;
  strideSamples: number;
}

export interface RecordingFoldersResult {
  dataset: ArrayDataset;
  issues: DataIssue[];
  skipped: number;
  recordings: RecordingInfo[];
  timing: HarTiming;
  /** The channel columns used, in order. */
  channels: string[];
  /** Every column of the first recording (what the user can pick channels from). */
  columns: string[];
}

export const DEFAULT_WINDOW_SECONDS = 2.56;
export const PREVIEW_SECONDS = 5;
const RECORDING_EXTENSIONS = new Set(['.csv', '.txt', '.tsv', '.dat']);
const isHidden = (name: string) => name.startsWith('.');
const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Class folder → its recording files, sorted. */
function scan(root: string): Map<string, string[]> {
  const classes = new Map<string, string[]>();
  const dirs = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !isHidden(e.name)).map((e) => e.name).sort(byName);
  for (const dir of dirs) {
    const files = readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isFile() && !isHidden(e.name) && RECORDING_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => join(root, dir, e.name))
      .sort(byName);
    classes.set(dir, files);
  }
  return classes;
}

/** True for a folder whose subfolders hold .csv/.txt recordings. */
export function isRecordingFolders(path: string): boolean {
  if (!statSync(path).isDirectory()) return false;
  return [...scan(path).values()].some((files) => files.length > 0);
}

/** The channel columns of a table: the chosen ones (by name, case-insensitive) or every candidate. */
function pickChannels(table: SensorTable, wanted?: string[]): number[] {
  if (!wanted) {
    const names = channelCandidates(table);
    if (names.length === 0) throw new Error(`${table.file}: no sensor columns (found ${table.columns.join(', ')})`);
    return names.map((n) => table.columns.indexOf(n));
  }
  return wanted.map((name) => {
    const c = table.columns.findIndex((col) => col.toLowerCase() === name.toLowerCase());
    if (c < 0) throw new Error(`${table.file}: no column "${name}" (its columns: ${table.columns.join(', ')})`);
    if (c === table.timeColumn) throw new Error(`${table.file}: "${name}" is the time column, not a sensor channel`);
    return c;
  });
}

interface Parsed {
  file: string;
  label: string;
  channels: string[];
  values: Float32Array;
  rateHz: number;
  rateSource: RateSource;
  times?: Float64Array;
  columns: string[];
  hasHeader: boolean;
}

function readRecording(file: string, label: string, options: RecordingFolderOptions): Parsed {
  const table = parseSensorTable(file, readFileSync(file, 'utf8'));
  const cols = pickChannels(table, options.columns);
  const { rateHz, source, times } = recordingRate(table, options.sampleRateHz);
  const values = new Float32Array(table.rows * cols.length);
  for (let r = 0; r < table.rows; r++) cols.forEach((c, k) => (values[r * cols.length + k] = table.values[c][r]));
  return { file, label, channels: cols.map((c) => table.columns[c]), values, rateHz, rateSource: source, times, columns: table.columns, hasHeader: table.hasHeader };
}

/** The rate with the most seconds of signal behind it (rates within 1 % count as one). */
function commonRate(parsed: Parsed[]): number {
  const seconds = new Map<number, number>();
  for (const p of parsed) {
    const key = [...seconds.keys()].find((r) => Math.abs(r - p.rateHz) / r < 0.01) ?? p.rateHz;
    seconds.set(key, (seconds.get(key) ?? 0) + p.values.length / p.channels.length / p.rateHz);
  }
  return [...seconds.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** Rounds a measured rate for display and storage: 25.9998 → 26. */
const tidyRate = (hz: number) => Number(hz.toPrecision(4));

export function loadRecordingFolders(root: string, options: RecordingFolderOptions = {}): RecordingFoldersResult {
  const classes = scan(root);
  const issues: DataIssue[] = [];
  let skipped = 0;
  const fail = (file: string, err: unknown) => {
    if (!options.skipBadFiles) throw err;
    skipped++;
    issues.push({ file, problem: `${(err as Error).message}; file skipped`, severity: 'error' });
  };
  for (const [label, files] of classes) if (files.length === 0) issues.push({ file: join(root, label), problem: 'no .csv or .txt recordings in this class folder; class left out', severity: 'warning' });

  const parsed: Parsed[] = [];
  for (const [label, files] of classes) {
    for (const file of files) {
      try {
        const p = readRecording(file, label, options);
        const ref = parsed[0];
        // Names are compared where both files have a header; a headerless file's columns are only numbered.
        if (ref && (p.channels.length !== ref.channels.length || (p.hasHeader && ref.hasHeader && p.channels.join(',') !== ref.channels.join(','))))
          throw new Error(`${file}: channels ${p.channels.join(', ')} differ from ${relative(root, ref.file)}'s ${ref.channels.join(', ')}`);
        parsed.push(p);
      } catch (err) {
        fail(file, err);
      }
    }
  }
  if (parsed.length === 0) {
    const first = issues.find((i) => i.severity === 'error');
    throw new Error(`${root}: no readable recordings in its class folders${first ? `; the first problem: ${first.problem.replace(/; file skipped$/, '')}` : ''}`);
  }

  const rateHz = tidyRate(commonRate(parsed));
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const strideSeconds = options.strideSeconds ?? windowSeconds / 2;
  const windowSamples = Math.round(windowSeconds * rateHz);
  const strideSamples = Math.max(1, Math.round(strideSeconds * rateHz));
  if (windowSamples < 4) throw new Error(`${root}: a window of ${windowSeconds} s at ${rateHz} Hz is ${windowSamples} samples; it needs at least 4`);
  if (strideSamples > windowSamples) throw new Error(`${root}: the stride (${strideSeconds} s) is longer than the window (${windowSeconds} s); samples between windows would be lost`);

  const kept: (Parsed & { resampled: Float32Array })[] = [];
  for (const p of parsed) {
    const C = p.channels.length;
    const same = Math.abs(p.rateHz - rateHz) / rateHz < 0.01 && !p.times;
    const resampled = same ? p.values : resampleRecording(p.values, C, rateHz, { sourceHz: p.rateHz, times: p.times });
    const samples = resampled.length / C;
    if (samples < windowSamples) {
      const secs = (p.values.length / C / p.rateHz).toFixed(2);
      fail(p.file, new Error(`${p.file}: ${secs} s of signal (${p.values.length / C} samples at ${tidyRate(p.rateHz)} Hz), shorter than one window of ${windowSeconds} s`));
      continue;
    }
    kept.push({ ...p, resampled });
  }
  const labels = [...new Set(kept.map((p) => p.label))].sort(byName);
  if (labels.length < 2) throw new Error(`${root}: ${labels.length === 1 ? `only one class ("${labels[0]}") has usable recordings` : 'no usable recordings'}: activity recognition needs at least two class folders (e.g. walk/, sit/) of recordings`);

  const C = kept[0].channels.length;
  const runs = kept.map((p, i) => ({ subject: i + 1, label: p.label, values: Array.from(p.resampled) }));
  const w = windowRuns(runs, C, { windowSize: windowSamples, overlap: 1 - strideSamples / windowSamples }, labels);
  const counts = new Map<number, number>();
  for (const s of w.subjects) counts.set(s, (counts.get(s) ?? 0) + 1);
  const recordings: RecordingInfo[] = kept.map((p, i) => ({
    file: p.file,
    label: p.label,
    id: i + 1,
    rateHz: tidyRate(p.rateHz),
    rateSource: p.rateSource,
    seconds: p.resampled.length / C / rateHz,
    windows: counts.get(i + 1) ?? 0,
    head: p.resampled.slice(0, Math.round(PREVIEW_SECONDS * rateHz) * C),
  }));
  const dataset: ArrayDataset = { name: `recordings (${root})`, x: w.x, xShape: w.xShape, y: w.y, classes: labels, subjects: w.subjects };
  return {
    dataset,
    issues,
    skipped,
    recordings,
    timing: { sampleRateHz: rateHz, windowSeconds, strideSeconds, windowSamples, strideSamples },
    channels: kept[0].channels,
    columns: kept[0].columns,
  };
}
