import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import type { SearchOptimizer } from './optimizers.js';
import type { SearchState } from './search-loop.types.js';

export const CHECKPOINT_FORMAT = 'nas-studio-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One named array: a variable's values or an optimizer slot. int32 values (Adam's step count) are stored as float32, exact below 2^24. */
export interface TensorValues {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array;
}

/**
 * Everything a run needs to continue where it stopped. Taken at the end of an epoch, so `epoch` is
 * the number of epochs finished and the next one to run.
 */
export interface CheckpointState {
  phase: 'search' | 'retrain';
  epoch: number;
  /** Steps done over all epochs. */
  step: number;
  /** Generator states (Rng.seedState) by role. */
  rng: Record<string, number>;
  /** Where the data order stands: the next epoch, step, and the state that seeds the next epoch's shuffle. */
  dataOrder: { epoch: number; step: number; shuffleSeed: number };
  /** Named groups of arrays, e.g. weights, alphas, weightOptimizer, archOptimizer. */
  groups: Record<string, TensorValues[]>;
  /** JSON-safe extras: genotype history, learning-rate scale, ... */
  extra?: Record<string, unknown>;
}

const TensorEntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  /** Offset and length in float32 elements within the data file. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});

const ManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  phase: z.enum(['search', 'retrain']),
  epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  rng: z.record(z.string(), z.number()),
  dataOrder: z.object({ epoch: z.number().int(), step: z.number().int(), shuffleSeed: z.number() }),
  data: z.object({ file: z.string().regex(/^[\w.-]+\.bin$/), bytes: z.number().int().nonnegative(), sha256: z.string() }),
  groups: z.record(z.string(), z.array(TensorEntrySchema)),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type CheckpointManifest = z.infer<typeof ManifestSchema>;

export function checkpointDir(runDir: string): string {
  return path.join(runDir, 'checkpoint');
}

/** The manifest names the valid data file: it is written last, so it always points at a complete one. */
export function checkpointManifestFile(runDir: string): string {
  return path.join(checkpointDir(runDir), 'checkpoint.json');
}

export interface SavedCheckpoint {
  manifest: string;
  data: string;
  /** Bytes of the data file plus the manifest. */
  bytes: number;
}

/**
 * Writes a checkpoint so that a kill at any moment leaves the previous one valid: the data file goes
 * to a new name (temp then rename), then the manifest is replaced atomically, then older data files
 * are removed. A failed write (disk full, read-only folder) throws naming the file and leaves the
 * previous checkpoint as it was.
 */
export function saveCheckpoint(runDir: string, state: CheckpointState): SavedCheckpoint {
  const dir = checkpointDir(runDir);
  const entries: Record<string, z.infer<typeof TensorEntrySchema>[]> = {};
  let total = 0;
  for (const [group, arrays] of Object.entries(state.groups)) {
    entries[group] = arrays.map((a) => {
      const expected = a.shape.reduce((p, d) => p * d, 1);
      if (a.values.length !== expected) throw new Error(`checkpoint: ${group}/${a.name} has ${a.values.length} values, its shape [${a.shape}] needs ${expected}.`);
      const entry = { name: a.name, shape: a.shape, dtype: a.dtype, offset: total, length: a.values.length };
      total += a.values.length;
      return entry;
    });
  }
  const data = new Float32Array(total);
  for (const [group, arrays] of Object.entries(state.groups)) arrays.forEach((a, i) => data.set(a.values, entries[group][i].offset));
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const dataName = `${state.phase}-epoch-${String(state.epoch).padStart(4, '0')}-step-${state.step}.bin`;
  const dataFile = path.join(dir, dataName);
  writeFileAtomic(dataFile, bytes);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    phase: state.phase,
    epoch: state.epoch,
    step: state.step,
    rng: state.rng,
    dataOrder: state.dataOrder,
    data: { file: dataName, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') },
    groups: entries,
    ...(state.extra ? { extra: state.extra } : {}),
  };
  const manifestFile = checkpointManifestFile(runDir);
  try {
    writeJsonAtomic(manifestFile, manifest);
  } catch (error) {
    rmSync(dataFile, { force: true });
    throw error;
  }
  for (const name of readdirSync(dir)) if (name.endsWith('.bin') && name !== dataName) rmSync(path.join(dir, name), { force: true });
  return { manifest: manifestFile, data: dataFile, bytes: bytes.byteLength + Buffer.byteLength(JSON.stringify(manifest, null, 2)) + 1 };
}

/** True when the run folder holds a checkpoint manifest (valid or not). */
export function hasCheckpoint(runDir: string): boolean {
  return existsSync(checkpointManifestFile(runDir));
}

/**
 * The run's last checkpoint, or undefined when it has none. A damaged one (bad JSON, unknown version,
 * a data file missing, short or changed) throws naming the file and the problem.
 */
export function loadCheckpoint(runDir: string): CheckpointState | undefined {
  const manifestFile = checkpointManifestFile(runDir);
  if (!existsSync(manifestFile)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new Error(`${manifestFile}: not a readable checkpoint manifest (${(error as Error).message}).`, { cause: error });
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > CHECKPOINT_VERSION) {
    throw new Error(`${manifestFile}: checkpoint format version ${version} is newer than this NAS Studio reads (${CHECKPOINT_VERSION}).`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${manifestFile}: not a NAS Studio checkpoint manifest (${issue.path.join('.') || 'root'}: ${issue.message}).`);
  }
  const manifest = parsed.data;
  const dataFile = path.join(checkpointDir(runDir), manifest.data.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(dataFile);
  } catch (error) {
    throw new Error(`${dataFile}: the checkpoint's data file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  if (bytes.byteLength !== manifest.data.bytes) throw new Error(`${dataFile}: truncated checkpoint data: ${bytes.byteLength} bytes, the manifest says ${manifest.data.bytes}.`);
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.data.sha256) throw new Error(`${dataFile}: checkpoint data does not match its checksum (changed or damaged).`);
  const aligned = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(aligned.buffer).set(bytes);
  const groups: Record<string, TensorValues[]> = {};
  for (const [group, entries] of Object.entries(manifest.groups)) {
    groups[group] = entries.map((e) => {
      if (e.offset + e.length > aligned.length) throw new Error(`${manifestFile}: ${group}/${e.name} lies past the end of ${manifest.data.file}.`);
      return { name: e.name, shape: e.shape, dtype: e.dtype, values: aligned.slice(e.offset, e.offset + e.length) };
    });
  }
  return {
    phase: manifest.phase,
    epoch: manifest.epoch,
    step: manifest.step,
    rng: manifest.rng,
    dataOrder: manifest.dataOrder,
    groups,
    ...(manifest.extra ? { extra: manifest.extra } : {}),
  };
}

/** Values of variables in list order (names are for people; restoring goes by position and shape). Awaited reads. */
export async function readVariables(variables: tf.Variable[]): Promise<TensorValues[]> {
  const values = await Promise.all(variables.map((v) => v.data()));
  return variables.map((v, i) => ({ name: v.name, shape: [...v.shape], dtype: 'float32', values: Float32Array.from(values[i] as Float32Array) }));
}

/** Assigns saved values to variables, position by position, after checking count and shapes. */
export function writeVariables(variables: tf.Variable[], saved: TensorValues[], what: string): void {
  if (saved.length !== variables.length) throw new Error(`checkpoint: ${what} holds ${saved.length} arrays, the model has ${variables.length} (a different config?).`);
  variables.forEach((v, i) => {
    if (saved[i].shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint: ${what}[${i}] (${saved[i].name}) has shape [${saved[i].shape}], the model's ${v.name} has [${v.shape}] (a different config?).`);
  });
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(saved[i].values, v.shape, v.dtype))));
}

/** An optimizer's state through its own getWeights(): the step count and every slot (Adam moments, momentum). */
export async function readOptimizer(optimizer: tf.Optimizer): Promise<TensorValues[]> {
  const weights = await optimizer.getWeights();
  const out: TensorValues[] = [];
  for (const w of weights) {
    out.push({ name: w.name, shape: [...w.tensor.shape], dtype: w.tensor.dtype === 'int32' ? 'int32' : 'float32', values: Float32Array.from(await w.tensor.data()) });
    // getWeights() returns the slot variables themselves and a fresh scalar for the step count.
    if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
  return out;
}

/** Restores an optimizer's state into a fresh optimizer of the same kind (slots keep their positions). */
export async function writeOptimizer(optimizer: tf.Optimizer, saved: TensorValues[]): Promise<void> {
  const tensors = saved.map((s) => ({ name: s.name, tensor: s.dtype === 'int32' ? tf.tensor(Int32Array.from(s.values), s.shape, 'int32') : tf.tensor(s.values, s.shape, 'float32') }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    // setWeights makes its own variables from these.
    tf.dispose(tensors.map((t) => t.tensor));
  }
}

/** What a search checkpoint captures and restores: the loop's live variables and optimizers. */
export interface SearchCheckpointTarget {
  weightVars: tf.Variable[];
  archVars: tf.Variable[];
  weightOptimizer: SearchOptimizer;
  archOptimizer: SearchOptimizer;
}

/**
 * Optimizer slots by the position of their variable (`<i>/slot<k>`): tf variable names differ from one
 * process to the next, positions in the supernet's fixed variable order do not.
 */
async function readSlots(optimizer: SearchOptimizer, variables: tf.Variable[]): Promise<{ arrays: TensorValues[]; steps: number[] }> {
  const state = optimizer.state();
  const counts = optimizer.stepCounts();
  const arrays: TensorValues[] = [];
  for (const [i, v] of variables.entries()) {
    for (let k = 0; state[`${v.name}/slot${k}`]; k++) {
      const slot = state[`${v.name}/slot${k}`];
      arrays.push({ name: `${i}/slot${k}`, shape: [...slot.shape], dtype: 'float32', values: Float32Array.from((await slot.data()) as Float32Array) });
    }
  }
  return { arrays, steps: variables.map((v) => counts[v.name] ?? 0) };
}

function writeSlots(optimizer: SearchOptimizer, variables: tf.Variable[], arrays: TensorValues[], steps: number[], what: string): void {
  const named: tf.NamedTensorMap = {};
  const stepsByName: Record<string, number> = {};
  for (const a of arrays) {
    const match = /^(\d+)\/slot(\d+)$/.exec(a.name);
    const v = match ? variables[Number(match[1])] : undefined;
    if (!match || !v) throw new Error(`checkpoint: ${what} slot '${a.name}' belongs to no variable of this model (a different config?).`);
    if (a.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint: ${what} slot '${a.name}' has shape [${a.shape}], variable ${match[1]} has [${v.shape}] (a different config?).`);
    named[`${v.name}/slot${match[2]}`] = tf.tensor(a.values, a.shape);
  }
  variables.forEach((v, i) => (stepsByName[v.name] = steps[i] ?? 0));
  try {
    optimizer.restore(named, stepsByName);
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** The loop's state at the end of `state.epoch` (0-based) as a checkpoint that resumes with the next epoch. */
export async function captureSearchCheckpoint(state: SearchState, extra: Record<string, unknown> = {}): Promise<CheckpointState> {
  const weightSlots = await readSlots(state.weightOptimizer, state.weightVars);
  const archSlots = await readSlots(state.archOptimizer, state.archVars);
  return {
    phase: 'search',
    epoch: state.epoch + 1,
    step: state.step,
    rng: { ...state.rngStates },
    dataOrder: { epoch: state.epoch + 1, step: state.step, shuffleSeed: state.rngStates.weightOrder },
    groups: { weights: await readVariables(state.weightVars), alphas: await readVariables(state.archVars), weightOptimizer: weightSlots.arrays, archOptimizer: archSlots.arrays },
    extra: { ...extra, genotypeHistory: state.genotypeHistory, weightOptimizerSteps: weightSlots.steps, archOptimizerSteps: archSlots.steps },
  };
}

/** Puts a search checkpoint back into freshly built variables and optimizers. */
export function restoreSearchCheckpoint(checkpoint: CheckpointState, target: SearchCheckpointTarget): void {
  const { groups, extra = {} } = checkpoint;
  for (const group of ['weights', 'alphas', 'weightOptimizer', 'archOptimizer']) {
    if (!groups[group]) throw new Error(`checkpoint: no '${group}' in this checkpoint (not a search checkpoint?).`);
  }
  writeVariables(target.weightVars, groups.weights, 'weights');
  writeVariables(target.archVars, groups.alphas, 'alphas');
  writeSlots(target.weightOptimizer, target.weightVars, groups.weightOptimizer, (extra.weightOptimizerSteps as number[]) ?? [], 'weightOptimizer');
  writeSlots(target.archOptimizer, target.archVars, groups.archOptimizer, (extra.archOptimizerSteps as number[]) ?? [], 'archOptimizer');
}
