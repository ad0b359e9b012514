import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { userDataDir } from '../hardware/profile-store.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import type { BackendName } from './backend.types.js';

/**
 * Timing every backend costs seconds (tens on an emulated GPU), so a choice is kept per machine, per set of
 * backends that loaded (an adapter or driver change gives a new set) and per workload key (the model's shape):
 * <NAS_STUDIO_HOME>/backend-choices.json. `nas-studio profile` always measures again and overwrites.
 */

export interface CachedChoice {
  backend: BackendName;
  /** Step time of each backend that was timed (ms). */
  stepMs: Partial<Record<BackendName, number>>;
  measuredAt: string;
}

interface CacheFile {
  schemaVersion: 1;
  entries: Record<string, CachedChoice>;
}

export function defaultChoiceCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'backend-choices.json');
}

/** Same hardware, OS and tfjs, same key: no serial numbers or host names. */
export function machineKey(): string {
  const cpus = os.cpus();
  const parts = [cpus[0]?.model ?? 'cpu', cpus.length, Math.round(os.totalmem() / 2 ** 28), process.platform, process.arch, os.release().split('.')[0], tf.version.tfjs];
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16);
}

/** The cache key: machine, the backends that loaded (with the GPU adapter), and the workload. */
export function choiceKey(loaded: { name: BackendName; adapter?: string }[], workloadKey: string): string {
  const set = loaded.map((b) => (b.adapter ? `${b.name}[${b.adapter}]` : b.name)).join(',');
  return `${machineKey()} | ${set} | ${workloadKey}`;
}

function readCache(file: string): CacheFile {
  if (!existsSync(file)) return { schemaVersion: 1, entries: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (parsed?.schemaVersion === 1 && parsed.entries && typeof parsed.entries === 'object') return parsed;
  } catch {
    // A damaged cache only costs a new timing.
  }
  return { schemaVersion: 1, entries: {} };
}

export function readChoice(file: string, key: string): CachedChoice | undefined {
  return readCache(file).entries[key];
}

/** Keeps the latest 200 choices; a cache that cannot be written is not an error (the run goes on). */
export function writeChoice(file: string, key: string, choice: CachedChoice): void {
  const cache = readCache(file);
  delete cache.entries[key];
  cache.entries[key] = choice;
  const keys = Object.keys(cache.entries);
  for (const old of keys.slice(0, Math.max(0, keys.length - 200))) delete cache.entries[old];
  try {
    writeJsonAtomic(file, cache);
  } catch {
    // Read-only home: the next run times again.
  }
}
