import { readFileSync } from 'node:fs';
import type { ArrayDataset, DataIssue } from '../dataset.types.js';
import { checkWindowOptions, windowRuns, type Run, type WindowOptions } from './windowing.js';

/**
 * WISDM v1.1 raw accelerometer file: records `user,activity,timestamp,x,y,z;` at 20 Hz. The published
 * file has records without the ';', empty lines and a few broken records (missing fields, trailing
 * commas); these are skipped and counted, or rejected with their line number when strict.
 */

export const WISDM_SAMPLE_RATE_HZ = 20;

export interface WisdmOptions extends Partial<WindowOptions> {
  /** Throw on the first broken record instead of skipping it. */
  strict?: boolean;
}

export interface WisdmResult {
  dataset: ArrayDataset;
  issues: DataIssue[];
  /** Broken records skipped. */
  skipped: number;
}

/** True when the first non-empty line looks like a WISDM record. */
export function looksLikeWisdm(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '');
  return first !== undefined && /^\s*\d+\s*,\s*[A-Za-z_ -]+\s*,\s*\d+\s*,[^,]*,[^,]*,[^,;]*;?\s*$/.test(first);
}

export function loadWisdm(file: string, options: WisdmOptions = {}): WisdmResult {
  // 64 samples at 20 Hz = 3.2 s, the window length most WISDM papers use is 3–10 s
  const win: WindowOptions = { windowSize: options.windowSize ?? 64, overlap: options.overlap ?? 0.5 };
  checkWindowOptions(file, win);
  const text = readFileSync(file, 'utf8');
  const issues: DataIssue[] = [];
  let skipped = 0;
  const runs: Run[] = [];
  let current: Run | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    // a line may hold several ';'-terminated records, or one without its ';'
    for (const raw of line.split(';')) {
      const record = raw.trim();
      if (record === '') continue;
      const f = record.split(',').map((s) => s.trim());
      const problem = checkRecord(f);
      if (problem) {
        if (options.strict) throw new Error(`${file}:${i + 1}: ${problem}: "${record.slice(0, 80)}"`);
        skipped++;
        if (issues.length < 20) issues.push({ file, problem: `line ${i + 1}: ${problem}, skipped`, severity: 'warning' });
        continue;
      }
      const subject = Number(f[0]);
      const label = f[1].toLowerCase();
      if (!current || current.subject !== subject || current.label !== label) {
        current = { subject, label, values: [] };
        runs.push(current);
      }
      current.values.push(Number(f[3]), Number(f[4]), Number(f[5]));
    }
  });
  if (skipped > 20) issues.push({ file, problem: `${skipped} broken records skipped in all (first 20 listed)`, severity: 'warning' });
  const w = windowRuns(runs, 3, win);
  if (w.y.length === 0) throw new Error(`${file}: no complete ${win.windowSize}-sample window in any user/activity run`);
  return {
    dataset: { name: `WISDM (${file})`, x: w.x, xShape: w.xShape, y: w.y, classes: w.classes, subjects: w.subjects },
    issues,
    skipped,
  };
}

function checkRecord(f: string[]): string | undefined {
  if (f.length !== 6) return `expected 6 fields (user,activity,timestamp,x,y,z), found ${f.length}`;
  if (!/^\d+$/.test(f[0])) return `user "${f[0]}" is not an integer`;
  if (f[1] === '') return 'activity is empty';
  if (!/^\d+$/.test(f[2])) return `timestamp "${f[2]}" is not an integer`;
  for (let k = 3; k < 6; k++) if (f[k] === '' || !Number.isFinite(Number(f[k]))) return `${'xyz'[k - 3]} "${f[k]}" is not a number`;
  return undefined;
}
