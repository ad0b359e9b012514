import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { userDataDir } from '../hardware/profile-store.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { defaultRatios, type PaceRatios } from './stage-work.js';

/**
 * The whole-run ETA's ratios as measured on this machine by finished runs (<userDataDir>/progress-calibration.json),
 * per search space, task, thread count, model size and batch: the median of the last few runs' measurements of each ratio, the
 * defaults where none was measured. A file that cannot be read or written is no reason to stop a run.
 */
const KEEP = 5;

type Stored = Record<string, Partial<Record<keyof PaceRatios, number[]>>>;

export function calibrationFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'progress-calibration.json');
}

type CalibrationKey = Pick<ResolvedSearchConfig, 'space' | 'task' | 'workers' | 'channels' | 'cells' | 'batchSize'>;

/** Ratios depend on the model's size and the batch as well as on the machine: each combination has its own. */
function keyOf(config: CalibrationKey): string {
  return `${config.space}|${config.task}|${config.workers} threads|C${config.channels}x${config.cells}|batch ${config.batchSize}`;
}

function read(file: string): Stored {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Stored) : {};
  } catch {
    return {};
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function loadRatios(config: CalibrationKey, file = calibrationFile()): PaceRatios {
  const ratios = defaultRatios(config);
  const stored = read(file)[keyOf(config)] ?? {};
  for (const key of Object.keys(ratios) as (keyof PaceRatios)[]) {
    const values = (stored[key] ?? []).filter((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
    if (values.length > 0) ratios[key] = median(values);
  }
  return ratios;
}

export function recordRatios(config: CalibrationKey, measured: Partial<PaceRatios>, file = calibrationFile()): void {
  if (Object.keys(measured).length === 0) return;
  try {
    const stored = read(file);
    const entry = (stored[keyOf(config)] ??= {});
    for (const [key, value] of Object.entries(measured) as [keyof PaceRatios, number][]) {
      if (Number.isFinite(value) && value > 0) entry[key] = [...(entry[key] ?? []), value].slice(-KEEP);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeJsonAtomic(file, stored);
  } catch {
    // the ETA falls back on the defaults
  }
}
