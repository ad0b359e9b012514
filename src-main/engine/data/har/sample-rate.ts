import { basename } from 'node:path';
import type { SensorTable } from './sensor-table.js';

/** Where a recording's sample rate came from, in the order it is looked for. */
export type RateSource = 'timestamps' | 'config' | 'file name';

/** The rate a file name suggests: `walk_01_26Hz.csv` → 26, `run-12.5hz.txt` → 12.5. */
export function rateFromFileName(file: string): number | undefined {
  const m = /(\d+(?:[.,]\d+)?)\s*hz/i.exec(basename(file));
  if (!m) return undefined;
  const rate = Number(m[1].replace(',', '.'));
  return rate > 0 ? rate : undefined;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Sensor rates lie between these; the time unit that puts the median step in range is the file's. */
const MIN_HZ = 0.5;
const MAX_HZ = 20_000;
const UNITS = [1, 1e-3, 1e-6, 1e-9];

/**
 * Seconds per unit of a time column and the rate its median step gives: the header's unit when it names
 * one (`time_ms`), else the first of s, ms, µs, ns that gives a rate between 0.5 Hz and 20 kHz.
 */
export function rateFromTimes(file: string, times: Float64Array, unitHint?: number): { rateHz: number; secondsPerUnit: number } {
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) steps.push(times[i] - times[i - 1]);
  const backwards = steps.findIndex((d) => !(d > 0));
  if (backwards >= 0) throw new Error(`${file}: the time column does not increase at data row ${backwards + 2} (${times[backwards]} then ${times[backwards + 1]})`);
  return rateFromSteps(file, steps, unitHint);
}

/** The same from the positive steps between consecutive samples (a file whose time restarts per run). */
export function rateFromSteps(file: string, steps: number[], unitHint?: number): { rateHz: number; secondsPerUnit: number } {
  const positive = steps.filter((d) => d > 0);
  if (positive.length === 0) throw new Error(`${file}: the time column never increases`);
  const step = median(positive);
  const units = unitHint !== undefined ? [unitHint] : UNITS;
  for (const unit of units) {
    const rateHz = 1 / (step * unit);
    if (rateHz >= MIN_HZ && rateHz <= MAX_HZ) return { rateHz, secondsPerUnit: unit };
  }
  throw new Error(`${file}: the time column's median step (${step}) gives no sample rate between ${MIN_HZ} Hz and ${MAX_HZ / 1000} kHz in s, ms, µs or ns`);
}

/**
 * A recording's sample rate: from its time column when it has one, else the configured rate, else the
 * rate its file name suggests. With none of these the message says how to give one.
 */
export function recordingRate(table: SensorTable, configuredHz?: number): { rateHz: number; source: RateSource; times?: Float64Array } {
  if (table.timeColumn !== undefined && table.rows >= 2) {
    const raw = table.values[table.timeColumn];
    const { rateHz, secondsPerUnit } = rateFromTimes(table.file, raw, table.timeUnit);
    const times = raw.map((t) => (t - raw[0]) * secondsPerUnit);
    return { rateHz, source: 'timestamps', times };
  }
  if (configuredHz !== undefined) return { rateHz: configuredHz, source: 'config' };
  const fromName = rateFromFileName(table.file);
  if (fromName !== undefined) return { rateHz: fromName, source: 'file name' };
  throw new Error(`${table.file}: no time column and no sample rate: give one (the wizard's sample rate field, --sample-rate <Hz>, or "sampleRateHz" in the config) or name the files like walk_01_26Hz.csv`);
}
