import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import { selectBackend } from '../../../src-main/engine/backend/select-backend.js';
import type { ArrayDataset } from '../../../src-main/engine/data/dataset.types.js';
import { derivedReplicaSpec } from '../../../src-main/engine/derive/derived.replica.js';
import { retrainModel, type RetrainOptions } from '../../../src-main/engine/derive/retrain.js';
import { openRetrainCheckpoint, retrainCheckpointFile, retrainCheckpointRoot, retrainFingerprint } from '../../../src-main/engine/derive/retrain-checkpoint.js';
import { checkpointDir } from '../../../src-main/engine/search/checkpoint.js';
import { RunCancelledError } from '../../../src-main/engine/search/run-control.js';
import { Rng } from '../../../src-main/engine/util/rng.js';

const GENOTYPE =
  "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 0), ('max_pool_3x3', 2)], normal_concat=[2, 3], " +
  "reduce=[('max_pool_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3])";

/** 200 small images whose class is the brightest quadrant-ish band: learnable, so the loss moves. */
function tinyImages(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const side = 12;
  const x = new Float32Array(n * side * side);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(4);
    for (let p = 0; p < side * side; p++) x[i * side * side + p] = 0.3 * rng.next() + (Math.floor(p / (side * 3)) === y[i] ? 0.7 : 0);
  }
  return { name: 'tiny images', x, xShape: [n, side, side, 1], y, classes: ['a', 'b', 'c', 'd'] };
}

const spec = derivedReplicaSpec({
  genotype: GENOTYPE,
  task: 'classification',
  model: { channels: 4, cells: 2, nodes: 2, stemMultiplier: 1, stemStride: 1, reductions: true, seed: 3 },
  learningRate: 4e-3,
  warmupFraction: 0.15,
});
const train = tinyImages(200, 11);
const fingerprint = retrainFingerprint({ genotype: GENOTYPE, case: 'tiny' });
const base: RetrainOptions = { epochs: 2, batchSize: 20, seed: 5, replicas: 1, scoreName: 'accuracy' };

let root: string;
beforeAll(async () => {
  await selectBackend();
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-retrain-ckpt-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Retrains with checkpoints into `runDir`; returns every variable's final values, the final loss and the events. */
async function retrain(runDir: string, extra: Partial<RetrainOptions> = {}, resume = false) {
  const events: RunEvent[] = [];
  const opened = resume ? openRetrainCheckpoint(runDir, fingerprint) : {};
  const result = await retrainModel(spec, train, {
    ...base,
    onEvent: (e) => events.push(e),
    ...extra,
    checkpoint: { runDir, fingerprint, resume: opened.checkpoint },
  });
  const weights = result.model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
  result.model.dispose();
  return { weights, finalLoss: result.finalLoss, events, problem: opened.problem };
}

const epochsRun = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'epoch' && e.phase === 'retrain' ? [e.epoch] : []));
const logs = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'log' ? [`${e.level}: ${e.message}`] : []));

/** Runs retraining into `runDir` and cancels it as soon as epoch 1 ends (its checkpoint is written right after). */
async function retrainCancelledAfterEpochOne(runDir: string, extra: Partial<RetrainOptions> = {}): Promise<void> {
  const controller = new AbortController();
  const run = retrainModel(spec, train, {
    ...base,
    ...extra,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'epoch' && e.epoch === 1) controller.abort();
    },
    checkpoint: { runDir, fingerprint },
  });
  await expect(run).rejects.toBeInstanceOf(RunCancelledError);
}

describe('retraining checkpoints', () => {
  let uninterrupted: Awaited<ReturnType<typeof retrain>>;

  beforeAll(async () => {
    uninterrupted = await retrain(path.join(root, 'a'));
  }, 120_000);

  it('cancelled after epoch 1 and resumed, ends bit-identical to a run that never stopped', async () => {
    const runDir = path.join(root, 'b');
    const tensorsBefore = tf.memory().numTensors;
    await retrainCancelledAfterEpochOne(runDir);
    const saved = openRetrainCheckpoint(runDir, fingerprint).checkpoint!;
    expect(saved).toMatchObject({ phase: 'retrain', epoch: 1, step: 10 });
    // The search's checkpoint folder is left alone.
    expect(readdirSync(checkpointDir(retrainCheckpointRoot(runDir)))).toEqual(['checkpoint.json', 'retrain-epoch-0001-step-10.bin']);

    const resumed = await retrain(runDir, {}, true);
    expect(resumed.problem).toBeUndefined();
    expect(logs(resumed.events)).toContain('info: resumed retraining after epoch 1 of 2');
    expect(epochsRun(resumed.events)).toEqual([2]);
    expect(resumed.weights.length).toBe(uninterrupted.weights.length);
    resumed.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(uninterrupted.weights[i].buffer)), `variable ${i}`).toBe(true));
    expect(resumed.finalLoss).toBe(uninterrupted.finalLoss);
    // Epoch 2 moved the weights on from the checkpoint (so "identical" is not two untouched copies).
    const atEpochOne = saved.groups.weights.map((a) => a.values);
    expect(uninterrupted.weights.some((w, i) => !Buffer.from(w.buffer).equals(Buffer.from(atEpochOne[i].buffer)))).toBe(true);
    expect(uninterrupted.finalLoss).toBeLessThan(Math.log(4));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 120_000);

  it('on two workers too: the resumed run ends bit-identical to one that never stopped', async () => {
    const two = { replicas: 2 };
    const whole = await retrain(path.join(root, 'two-a'), two);
    await retrainCancelledAfterEpochOne(path.join(root, 'two-b'), two);
    const resumed = await retrain(path.join(root, 'two-b'), two, true);
    expect(logs(resumed.events)).toContain('info: resumed retraining after epoch 1 of 2');
    expect(logs(resumed.events).filter((m) => m.startsWith('warn'))).toEqual([]);
    resumed.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(whole.weights[i].buffer)), `variable ${i}`).toBe(true));
    expect(resumed.finalLoss).toBe(whole.finalLoss);
  }, 120_000);

  it('a finished checkpoint resumes with nothing left to train: the same model, no epoch rerun', async () => {
    const resumed = await retrain(path.join(root, 'a'), {}, true);
    expect(logs(resumed.events)).toContain('info: resumed retraining after epoch 2 of 2');
    expect(epochsRun(resumed.events)).toEqual([]);
    resumed.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(uninterrupted.weights[i].buffer))).toBe(true));
    expect(resumed.finalLoss).toBe(uninterrupted.finalLoss);
  }, 60_000);

  it('a damaged data file is reported in one line naming it, and retraining starts over', async () => {
    const runDir = path.join(root, 'c');
    await retrainCancelledAfterEpochOne(runDir);
    const dir = checkpointDir(retrainCheckpointRoot(runDir));
    const bin = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.bin'))!);
    const bytes = readFileSync(bin);
    bytes[100] ^= 0xff;
    writeFileSync(bin, bytes);

    const restarted = await retrain(runDir, {}, true);
    expect(restarted.problem).toBe(`${bin}: checkpoint data does not match its checksum (changed or damaged); retraining starts over.`);
    expect(epochsRun(restarted.events)).toEqual([1, 2]);
    restarted.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(uninterrupted.weights[i].buffer))).toBe(true));
    // The fresh run's checkpoints replaced the damaged one.
    expect(openRetrainCheckpoint(runDir, fingerprint).checkpoint?.epoch).toBe(2);
  }, 120_000);

  it('a manifest that is not JSON, or a checkpoint of another genotype or config, is reported naming the manifest', () => {
    const runDir = path.join(root, 'a');
    const file = retrainCheckpointFile(runDir);
    expect(openRetrainCheckpoint(runDir, retrainFingerprint({ genotype: 'other' }))).toEqual({
      problem: `${file}: a retraining checkpoint of a different genotype or config; retraining starts over.`,
    });
    const damaged = path.join(root, 'd');
    const manifest = retrainCheckpointFile(damaged);
    mkdirSync(path.dirname(manifest), { recursive: true });
    writeFileSync(manifest, '{ "format": "nas-studio-checkpoint", ');
    const { problem } = openRetrainCheckpoint(damaged, fingerprint);
    expect(problem).toMatch(new RegExp(`^${escape(manifest)}: not a readable checkpoint manifest \\(.+\\); retraining starts over\\.$`));
    expect(problem).not.toContain('\n');
    expect(openRetrainCheckpoint(path.join(root, 'none'), fingerprint)).toEqual({});
  });

  it('a checkpoint that does not fit the loop (another batch size) is reported and retraining starts over', async () => {
    const runDir = path.join(root, 'a');
    const restarted = await retrain(runDir, { batchSize: 25, epochs: 1 }, true);
    expect(logs(restarted.events)).toContain(`warn: ${retrainCheckpointFile(runDir)}: made for epochs 2, this run has 1 (a different model or config); retraining starts over.`);
    expect(epochsRun(restarted.events)).toEqual([1]);
  }, 60_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

