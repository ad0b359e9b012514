import { createHash } from 'node:crypto';
import path from 'node:path';
import { checkpointManifestFile, loadCheckpoint, saveCheckpoint, type CheckpointState, type SavedCheckpoint, type TensorValues } from '../search/checkpoint.js';
import type { LayersModelReplica } from '../parallel/layers-model.replica.js';

/**
 * Retraining checkpoints: the search checkpoint's format and helpers (manifest + .bin, written
 * atomically, checked by size and sha256), in a folder of their own, <runDir>/retrain/checkpoint/, so
 * the search's last checkpoint stays as it was.
 */
export function retrainCheckpointRoot(runDir: string): string {
  return path.join(runDir, 'retrain');
}

export function retrainCheckpointFile(runDir: string): string {
  return checkpointManifestFile(retrainCheckpointRoot(runDir));
}

/**
 * What a retraining checkpoint must have been made for: a hash of everything that shapes the run
 * (genotype, config). Keys are sorted, so a config re-read from config.json hashes as the one written.
 */
export function retrainFingerprint(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

/** How retrainModel checkpoints: where, for what, and (on resume) the checkpoint to continue from. */
export interface RetrainCheckpointing {
  runDir: string;
  fingerprint: string;
  /** A checkpoint read by openRetrainCheckpoint, to continue after its epoch. */
  resume?: CheckpointState;
  onSaved?: (saved: SavedCheckpoint) => void;
}

/** The run's retraining checkpoint if it fits `fingerprint`; otherwise why not, in one line naming the file. */
export function openRetrainCheckpoint(runDir: string, fingerprint: string): { checkpoint?: CheckpointState; problem?: string } {
  const file = retrainCheckpointFile(runDir);
  let checkpoint: CheckpointState | undefined;
  try {
    checkpoint = loadCheckpoint(retrainCheckpointRoot(runDir));
  } catch (error) {
    return { problem: `${(error as Error).message.replace(/\.$/, '')}; retraining starts over.` };
  }
  if (!checkpoint) return {};
  if (checkpoint.phase !== 'retrain' || checkpoint.extra?.fingerprint !== fingerprint) {
    return { problem: `${file}: a retraining checkpoint of a different genotype or config; retraining starts over.` };
  }
  return { checkpoint };
}

/** Where the loop stands at the end of an epoch, besides the model and its optimizer. */
export interface RetrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  batchSize: number;
  /** State of the generator that shuffles the next epoch. */
  orderState: number;
  finalLoss: number;
  /** Retraining seconds so far, over every process that worked on it. */
  seconds: number;
}

/** Writes the replica's variables (BN moving statistics included), Adam's state and the loop's position. */
export async function saveRetrainCheckpoint(checkpointing: RetrainCheckpointing, replica: LayersModelReplica, progress: RetrainProgress): Promise<SavedCheckpoint> {
  const flat = await replica.snapshot();
  let offset = 0;
  const weights: TensorValues[] = replica.model.weights.map((w) => {
    const size = (w.shape as number[]).reduce((p, d) => p * d, 1);
    const values = flat.slice(offset, offset + size);
    offset += size;
    return { name: w.originalName, shape: w.shape as number[], dtype: 'float32', values };
  });
  const optimizer = await replica.optimizerState();
  const state: CheckpointState = {
    phase: 'retrain',
    epoch: progress.epoch,
    step: progress.step,
    rng: { retrainOrder: progress.orderState },
    dataOrder: { epoch: progress.epoch, step: progress.step, shuffleSeed: progress.orderState },
    groups: { weights, optimizer: [{ name: 'adam', shape: [optimizer.length], dtype: 'float32', values: optimizer }] },
    extra: {
      fingerprint: checkpointing.fingerprint,
      epochs: progress.epochs,
      stepsPerEpoch: progress.stepsPerEpoch,
      batchSize: progress.batchSize,
      finalLoss: progress.finalLoss,
      seconds: progress.seconds,
    },
  };
  const saved = saveCheckpoint(retrainCheckpointRoot(checkpointing.runDir), state);
  checkpointing.onSaved?.(saved);
  return saved;
}

/** A checkpoint's contents checked against this model and loop, ready for DataParallel.loadState. */
export interface RetrainResumePoint {
  weights: Float32Array;
  optimizer: Float32Array;
  epoch: number;
  step: number;
  orderState: number;
  finalLoss: number;
  seconds: number;
}

/**
 * Checks a retraining checkpoint against the model and loop it is to continue (every variable's
 * shape, the optimizer's size, epochs, steps per epoch, batch size) before anything is loaded; a
 * mismatch throws one line naming the file.
 */
export function resumePoint(runDir: string, checkpoint: CheckpointState, replica: LayersModelReplica, loop: { epochs: number; stepsPerEpoch: number; batchSize: number }): RetrainResumePoint {
  const file = retrainCheckpointFile(runDir);
  const misfit = (what: string) => new Error(`${file}: ${what} (a different model or config); retraining starts over.`);
  const extra = checkpoint.extra ?? {};
  for (const key of ['epochs', 'stepsPerEpoch', 'batchSize'] as const) {
    if (extra[key] !== loop[key]) throw misfit(`made for ${key} ${String(extra[key])}, this run has ${loop[key]}`);
  }
  if (!(checkpoint.epoch >= 1 && checkpoint.epoch <= loop.epochs) || checkpoint.step !== checkpoint.epoch * loop.stepsPerEpoch) {
    throw misfit(`epoch ${checkpoint.epoch} / step ${checkpoint.step} do not fit ${loop.epochs} epochs of ${loop.stepsPerEpoch} steps`);
  }
  const saved = checkpoint.groups.weights ?? [];
  const variables = replica.model.weights;
  if (saved.length !== variables.length) throw misfit(`holds ${saved.length} variables, the model has ${variables.length}`);
  variables.forEach((v, i) => {
    if (saved[i].shape.join('x') !== v.shape.join('x')) throw misfit(`variable ${i} (${saved[i].name}) has shape [${saved[i].shape}], the model's ${v.originalName} has [${v.shape}]`);
  });
  const optimizer = checkpoint.groups.optimizer?.[0]?.values;
  const expected = replica.optimizerStateLength();
  if (!optimizer || optimizer.length !== expected) throw misfit(`Adam's state holds ${optimizer?.length ?? 0} values, this model needs ${expected}`);
  const weights = new Float32Array(saved.reduce((n, a) => n + a.values.length, 0));
  let offset = 0;
  for (const a of saved) {
    weights.set(a.values, offset);
    offset += a.values.length;
  }
  const orderState = checkpoint.rng.retrainOrder;
  if (!Number.isInteger(orderState)) throw misfit('no data-order state');
  return {
    weights,
    optimizer,
    epoch: checkpoint.epoch,
    step: checkpoint.step,
    orderState,
    finalLoss: typeof extra.finalLoss === 'number' ? extra.finalLoss : NaN,
    seconds: typeof extra.seconds === 'number' ? extra.seconds : 0,
  };
}
