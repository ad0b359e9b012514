import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayDataset } from '../dataset.types.js';
import { HAR_ACTIVITIES, UCI_HAR_CHANNELS } from './synthetic-har.js';

/**
 * UCI HAR (Anguita et al. 2013) as distributed: <root>/{train,test}/Inertial Signals/<channel>_<split>.txt
 * (one window of 128 space-separated values per line), <split>/y_<split>.txt (labels 1..6) and
 * <split>/subject_<split>.txt, plus activity_labels.txt ("1 WALKING") when present.
 */

export function isUciHarFolder(root: string): boolean {
  return existsSync(join(root, 'train', 'Inertial Signals')) || existsSync(join(root, 'test', 'Inertial Signals'));
}

function readLines(file: string): string[] {
  if (!existsSync(file)) throw new Error(`${file}: missing (UCI HAR layout needs it)`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

function parseNumbers(file: string, line: string, lineNo: number): number[] {
  const parts = line.trim().split(/\s+/);
  return parts.map((p, i) => {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v)) throw new Error(`${file}:${lineNo}: value ${i + 1} "${p}" is not a number`);
    return v;
  });
}

function readIntColumn(file: string): number[] {
  return readLines(file).map((line, i) => {
    const v = Number(line.trim());
    if (line.trim() === '' || !Number.isInteger(v)) throw new Error(`${file}:${i + 1}: "${line.trim()}" is not an integer`);
    return v;
  });
}

/** Class names from activity_labels.txt, lower-cased ("WALKING_UPSTAIRS" → "walking_upstairs"). */
function readClasses(root: string): string[] {
  const file = join(root, 'activity_labels.txt');
  if (!existsSync(file)) return [...HAR_ACTIVITIES];
  const names: string[] = [];
  readLines(file).forEach((line, i) => {
    const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected "<id> <NAME>", got "${line}"`);
    names[Number(m[1]) - 1] = m[2].toLowerCase();
  });
  for (let i = 0; i < names.length; i++) if (!names[i]) throw new Error(`${file}: no name for label ${i + 1}`);
  return names;
}

export function loadUciHarSplit(root: string, split: 'train' | 'test', classes = readClasses(root)): ArrayDataset {
  const dir = join(root, split);
  const yFile = join(dir, `y_${split}.txt`);
  const sFile = join(dir, `subject_${split}.txt`);
  // check every file exists before parsing any, so the message names the first missing one
  const signalFiles = UCI_HAR_CHANNELS.map((c) => join(dir, 'Inertial Signals', `${c}_${split}.txt`));
  for (const f of [...signalFiles, yFile, sFile]) if (!existsSync(f)) throw new Error(`${f}: missing (UCI HAR layout needs all 9 signal files, y_${split}.txt and subject_${split}.txt)`);

  const labels = readIntColumn(yFile);
  const subjects = readIntColumn(sFile);
  const n = labels.length;
  if (subjects.length !== n) throw new Error(`${sFile}: ${subjects.length} lines, but ${yFile} has ${n} labels`);
  labels.forEach((l, i) => {
    if (l < 1 || l > classes.length) throw new Error(`${yFile}:${i + 1}: label ${l} is outside 1..${classes.length}`);
  });
  let T = -1;
  const C = signalFiles.length;
  let x = new Float32Array(0);
  signalFiles.forEach((file, c) => {
    const lines = readLines(file);
    if (lines.length !== n) throw new Error(`${file}: ${lines.length} windows, but ${yFile} has ${n} labels`);
    lines.forEach((line, i) => {
      const values = parseNumbers(file, line, i + 1);
      if (T < 0) {
        T = values.length;
        x = new Float32Array(n * T * C);
      }
      if (values.length !== T) throw new Error(`${file}:${i + 1}: ${values.length} values, expected ${T} like the first window`);
      for (let t = 0; t < T; t++) x[(i * T + t) * C + c] = values[t];
    });
  });
  return {
    name: `UCI HAR ${split} (${root})`,
    x,
    xShape: [n, Math.max(T, 0), C],
    y: Int32Array.from(labels, (l) => l - 1),
    classes,
    subjects: Int32Array.from(subjects),
  };
}

/** Both splits as published (the test split's subjects are disjoint from train's). */
export function loadUciHar(root: string): { train: ArrayDataset; test: ArrayDataset } {
  const classes = readClasses(root);
  return { train: loadUciHarSplit(root, 'train', classes), test: loadUciHarSplit(root, 'test', classes) };
}
