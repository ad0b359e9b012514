/**
 * The latency table cache: <userDataDir>/latency/<machineId>/<backend>/<space>.json, one file per
 * machine, backend and space, written atomically. A file measured with another tfjs version or schema is
 * stale (ignored, then overwritten); a file that is not a table is an error naming the file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { BackendName } from '../backend/backend.types.js';
import type { SpaceName } from '../space/space.types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { detectHardware } from './detect.js';
import { DEFAULT_STATISTIC } from './latency-measure.js';
import { TIMING_METHOD, type LatencyTable } from './latency-table.types.js';
import { userDataDir } from './profile-store.js';
import { machineIdOf } from './profile.js';

export function latencyTableFile(machineId: string, backend: string, space: SpaceName, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'latency', machineId, backend, `${space}.json`);
}

let machineId: Promise<string> | undefined;

/** This machine's id (hardware/profile.ts machineIdOf), detected once per process. */
export function currentMachineId(): Promise<string> {
  machineId ??= detectHardware().then(machineIdOf);
  return machineId;
}

const shape3 = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);
const KeySchema = z.object({ space: z.string(), op: z.string(), inputShape: shape3, stride: z.union([z.literal(1), z.literal(2)]), cOut: z.number().int().positive(), batchNorm: z.literal(false).optional() });
const TableSchema = z.looseObject({
  schemaVersion: z.literal(1),
  machineId: z.string().min(1),
  backend: z.string().min(1),
  space: z.string().min(1),
  batch: z.literal(1),
  tfjsVersion: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  entries: z.record(z.string(), z.object({ key: KeySchema, medianMs: z.number().nonnegative(), repeats: z.number().int().nonnegative(), params: z.number().int().nonnegative().optional() })),
  fixedParts: z.array(
    z.object({
      part: z.enum(['stem', 'head']),
      task: z.string(),
      stride: z.union([z.literal(1), z.literal(2)]),
      inputShape: shape3,
      cOut: z.number().int().positive(),
      medianMs: z.number().nonnegative(),
      params: z.number().int().nonnegative().optional(),
    }),
  ),
  modelOverheadMs: z.number().nonnegative(),
  repeats: z.number().int().positive(),
  loadAverage: z.number().optional(),
});

export function tfjsVersion(): string {
  return tf.version.tfjs;
}

/**
 * A fingerprint of the kernels a backend runs: every registered kernel's name and the source of its
 * function, hashed. The engine replaces and wraps wasm kernels (backend/wasm-grad-kernels.ts: Concat, Add,
 * Slice, …); when that code changes, the ops' cost changes under the same tfjs version, and a table keyed by
 * the version alone would go on predicting the old kernels. Helpers a kernel calls are not in its source:
 * a change confined to them is missed (docs/latency.md).
 */
export function kernelFingerprint(backend: string): string {
  const hash = createHash('sha256');
  hash.update(`tfjs ${tfjsVersion()}\n`);
  const kernels = tf.getKernelsForBackend(backend).sort((a, b) => (a.kernelName < b.kernelName ? -1 : a.kernelName > b.kernelName ? 1 : 0));
  for (const k of kernels) hash.update(`${k.kernelName}\n${k.kernelFunc.toString()}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Reads a cached table. Returns undefined when the file is missing or stale (another tfjs version, another
 * kernel set when `expect.kernels` is given, or an older layout of the file); throws an Error naming the file
 * when it exists but is not a latency table.
 */
export function loadLatencyTable(file: string, expect: { machineId: string; backend: BackendName | string; space: SpaceName; kernels?: string }): LatencyTable | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read the latency table (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: the latency table is not valid JSON (${(error as Error).message}); delete it to measure again.`, { cause: error });
  }
  const raw = value as Partial<LatencyTable> | null;
  // Stale, not broken: written by another tfjs or before a field existed. It is measured again.
  if (raw && typeof raw === 'object' && (raw.schemaVersion !== 1 || raw.tfjsVersion !== tfjsVersion() || raw.modelOverheadMs === undefined || raw.statistic !== DEFAULT_STATISTIC)) {
    return undefined;
  }
  if (raw && typeof raw === 'object' && expect.kernels !== undefined && raw.kernels !== expect.kernels) return undefined;
  if (raw && typeof raw === 'object' && raw.timing !== TIMING_METHOD) return undefined;
  const parsed = TableSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a NAS Studio latency table (${issue.path.join('.') || 'top level'}: ${issue.message}); delete it to measure again.`);
  }
  const table = value as LatencyTable;
  if (table.machineId !== expect.machineId || table.backend !== expect.backend || table.space !== expect.space) {
    throw new Error(`${file}: holds the ${table.space} table of machine ${table.machineId} on ${table.backend}, not ${expect.space} on ${expect.machineId}/${expect.backend}.`);
  }
  return table;
}

export function saveLatencyTable(file: string, table: LatencyTable): void {
  writeJsonAtomic(file, table);
}
