import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ArrayDataset, DataIssue } from '../dataset.types.js';
import { concatDatasets } from './concat-datasets.js';
import type { HarTiming } from './recording-folders.importer.js';
import { rateFromSteps } from './sample-rate.js';
import { checkWindowOptions, windowRuns, type Run, type WindowOptions } from './windowing.js';

/**
 * Plain CSV recordings: a header `timestamp,<ch1>,…,<chN>,label` (an optional `subject` column anywhere
 * is used for subject-wise splits), one sample per row. Consecutive rows with the same label (and
 * subject) form a run that is cut into windows. A folder holds one or more such files.
 */

export interface CsvHarOptions extends Partial<WindowOptions> {
  /** In a folder, skip a broken file (reported as an issue) instead of failing. */
  skipBadFiles?: boolean;
}

export interface CsvHarResult {
  dataset: ArrayDataset;
  /** From the timestamp column's median step, when it gives a plausible rate. */
  timing?: HarTiming;
  channels: string[];
  issues: DataIssue[];
  /** Files skipped. */
  skipped: number;
}

interface ParsedCsv {
  channels: string[];
  runs: Run[];
  /** Time steps between consecutive rows of one run (for the sample rate). */
  steps: number[];
}

export function parseHarCsv(file: string, text: string, fileIndex = 0): ParsedCsv {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new Error(`${file}: empty file`);
  const header = lines[headerAt].split(',').map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  const labelCol = lower.lastIndexOf('label');
  const timeCol = lower.findIndex((h) => h === 'timestamp' || h === 'time' || h === 't');
  const subjectCol = lower.indexOf('subject');
  if (labelCol < 0) throw new Error(`${file}:${headerAt + 1}: the header needs a "label" column, found: ${header.join(', ')}`);
  if (timeCol < 0) throw new Error(`${file}:${headerAt + 1}: the header needs a "timestamp" column, found: ${header.join(', ')}`);
  const channelCols = header.map((_, i) => i).filter((i) => i !== labelCol && i !== timeCol && i !== subjectCol);
  if (channelCols.length === 0) throw new Error(`${file}:${headerAt + 1}: no sensor channel columns between timestamp and label`);
  const runs: Run[] = [];
  const steps: number[] = [];
  let lastTime = NaN;
  let current: Run | undefined;
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new Error(`${file}:${i + 1}: ${cells.length} columns, the header has ${header.length}`);
    const label = cells[labelCol];
    if (label === '') throw new Error(`${file}:${i + 1}: empty label`);
    let subject = fileIndex + 1;
    if (subjectCol >= 0) {
      subject = Number(cells[subjectCol]);
      if (!Number.isInteger(subject)) throw new Error(`${file}:${i + 1}: subject "${cells[subjectCol]}" is not an integer`);
    }
    const time = Number(cells[timeCol]);
    if (!current || current.label !== label || current.subject !== subject) {
      current = { label, subject, values: [] };
      runs.push(current);
    } else if (time > lastTime) steps.push(time - lastTime);
    lastTime = time;
    for (const c of channelCols) {
      const v = Number(cells[c]);
      if (cells[c] === '' || !Number.isFinite(v))
        throw new Error(`${file}:${i + 1}: column "${header[c]}" is ${cells[c] === '' ? 'empty' : `"${cells[c]}", not a number`}`);
      current.values.push(v);
    }
  }
  return { channels: channelCols.map((c) => header[c]), runs, steps };
}

function csvFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.toLowerCase().endsWith('.csv'))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new Error(`${path}: no .csv files in this folder`);
  return files;
}

/** Loads one CSV file or every *.csv in a folder (all must have the same channels). */
export function loadCsvHar(path: string, options: CsvHarOptions = {}): CsvHarResult {
  const win: WindowOptions = { windowSize: options.windowSize ?? 128, overlap: options.overlap ?? 0.5 };
  checkWindowOptions(path, win);
  const files = csvFiles(path);
  const issues: DataIssue[] = [];
  let skipped = 0;
  const parsed: { file: string; csv: ParsedCsv }[] = [];
  files.forEach((file, i) => {
    try {
      const csv = parseHarCsv(file, readFileSync(file, 'utf8'), i);
      if (parsed.length > 0 && csv.channels.join(',') !== parsed[0].csv.channels.join(','))
        throw new Error(`${file}: channels ${csv.channels.join(', ')} differ from ${parsed[0].file}'s ${parsed[0].csv.channels.join(', ')}`);
      parsed.push({ file, csv });
    } catch (err) {
      if (!options.skipBadFiles || files.length === 1) throw err;
      skipped++;
      issues.push({ file, problem: `${(err as Error).message}; file skipped`, severity: 'warning' });
    }
  });
  if (parsed.length === 0) throw new Error(`${path}: every CSV file was broken`);
  const classes = [...new Set(parsed.flatMap((p) => p.csv.runs.map((r) => r.label)))].sort();
  const C = parsed[0].csv.channels.length;
  const parts = parsed.map(({ file, csv }) => {
    const w = windowRuns(csv.runs, C, win, classes);
    if (w.y.length === 0) issues.push({ file, problem: `no complete ${win.windowSize}-sample window`, severity: 'warning' });
    return { name: basename(file), x: w.x, xShape: w.xShape, y: w.y, classes, subjects: w.subjects };
  });
  const dataset = concatDatasets(parts, `CSV HAR (${path})`);
  if (dataset.y.length === 0) throw new Error(`${path}: no complete ${win.windowSize}-sample window in any labelled run`);
  let timing: HarTiming | undefined;
  try {
    const { rateHz } = rateFromSteps(path, parsed.flatMap((p) => p.csv.steps));
    const hz = Number(rateHz.toPrecision(4));
    const stride = Math.max(1, Math.round(win.windowSize * (1 - win.overlap)));
    timing = { sampleRateHz: hz, windowSeconds: win.windowSize / hz, strideSeconds: stride / hz, windowSamples: win.windowSize, strideSamples: stride };
  } catch (err) {
    issues.push({ file: path, problem: `sample rate unknown (${(err as Error).message}); it is not stored with the model`, severity: 'warning' });
  }
  return { dataset, issues, skipped, channels: parsed[0].csv.channels, ...(timing ? { timing } : {}) };
}
