import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerDilatedConvGradients } from '../../../src-main/engine/backend/dilated-conv-gradients.js';
import {
  captureSearchCheckpoint,
  checkpointDir,
  checkpointManifestFile,
  loadCheckpoint,
  readOptimizer,
  readVariables,
  saveCheckpoint,
  writeOptimizer,
  writeVariables,
  type CheckpointState,
} from '../../../src-main/engine/search/checkpoint.js';
import { searchLoop } from '../../../src-main/engine/search/search-loop.js';
import { canMountSmallDisk, mountSmallDisk } from '../store/fs-faults.js';
import { tinySearch } from './search-fixtures.js';

let runDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'checkpoint-'));
});
afterEach(() => {
  rmSync(runDir, { recursive: true, force: true });
});

function state(epoch: number, fill: number): CheckpointState {
  return {
    phase: 'search',
    epoch,
    step: epoch * 10,
    rng: { weightOrder: 123 + epoch, archOrder: 456, strategy: 789 },
    dataOrder: { epoch, step: 0, shuffleSeed: 123 + epoch },
    groups: {
      weights: [
        { name: 'w0', shape: [2, 3], dtype: 'float32', values: new Float32Array(6).fill(fill) },
        { name: 'b0', shape: [3], dtype: 'float32', values: Float32Array.of(1, 2, 3) },
      ],
      weightOptimizer: [{ name: 'iter', shape: [], dtype: 'int32', values: Float32Array.of(epoch * 10) }],
    },
    extra: { genotypeHistory: ['G0'], lrScale: 1 },
  };
}

describe('checkpoints', () => {
  it('round-trips every group, the rng states, the data order and the extras', () => {
    saveCheckpoint(runDir, state(2, 0.25));
    const loaded = loadCheckpoint(runDir)!;
    expect(loaded).toEqual(state(2, 0.25));
  });

  it('has none in a fresh run folder', () => {
    expect(loadCheckpoint(runDir)).toBeUndefined();
  });

  it('keeps one data file: the one the manifest names', () => {
    saveCheckpoint(runDir, state(1, 1));
    saveCheckpoint(runDir, state(2, 2));
    const files = readdirSync(checkpointDir(runDir));
    expect(files.sort()).toEqual(['checkpoint.json', 'search-epoch-0002-step-20.bin']);
    expect(loadCheckpoint(runDir)!.epoch).toBe(2);
  });

  it('leaves the previous checkpoint valid when a write is cut short (a kill mid-write leaves only a temp file)', () => {
    saveCheckpoint(runDir, state(1, 1));
    // What a kill during the next save leaves: a half-written temp data file, manifest untouched.
    writeFileSync(path.join(checkpointDir(runDir), '.search-epoch-0002-step-20.bin.dead.tmp'), new Uint8Array(7));
    expect(loadCheckpoint(runDir)).toEqual(state(1, 1));
  });

  it.skipIf(!canMountSmallDisk)('on a full disk: says so, naming the file, leaves no partial file and keeps the old checkpoint', () => {
    const disk = mountSmallDisk(64)!;
    try {
      saveCheckpoint(disk.dir, state(1, 1));
      const big = state(2, 2);
      big.groups.weights[0] = { name: 'w0', shape: [256, 256], dtype: 'float32', values: new Float32Array(256 * 256) };
      expect(() => saveCheckpoint(disk.dir, big)).toThrow(/search-epoch-0002-step-20\.bin: could not be written \(the disk is full\)/);
      expect(readdirSync(checkpointDir(disk.dir)).sort()).toEqual(['checkpoint.json', 'search-epoch-0001-step-10.bin']);
      expect(loadCheckpoint(disk.dir)).toEqual(state(1, 1));
    } finally {
      disk.unmount();
    }
  });

  it.skipIf(!canMountSmallDisk)('in a read-only folder: says so, naming the file, and keeps the old checkpoint', () => {
    const disk = mountSmallDisk(64)!;
    try {
      saveCheckpoint(disk.dir, state(1, 1));
      disk.readOnly();
      expect(() => saveCheckpoint(disk.dir, state(2, 2))).toThrow(/search-epoch-0002-step-20\.bin: could not be written \(the folder is not writable\)/);
      expect(loadCheckpoint(disk.dir)).toEqual(state(1, 1));
    } finally {
      disk.unmount();
    }
  });

  it('when the manifest cannot be written, the new data file is removed too (no orphan data)', () => {
    saveCheckpoint(runDir, state(1, 1));
    // A folder where the manifest's temp file would go cannot be renamed over by a file: the manifest write fails.
    const manifest = checkpointManifestFile(runDir);
    rmSync(manifest);
    mkdirSync(manifest);
    writeFileSync(path.join(manifest, 'keep'), 'x');
    expect(() => saveCheckpoint(runDir, state(2, 2))).toThrow(/checkpoint\.json: could not be written/);
    expect(readdirSync(checkpointDir(runDir)).sort()).toEqual(['checkpoint.json', 'search-epoch-0001-step-10.bin']);
  });

  it('names the file and the problem when a checkpoint is damaged', () => {
    saveCheckpoint(runDir, state(1, 1));
    const manifestFile = checkpointManifestFile(runDir);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const dataFile = path.join(checkpointDir(runDir), manifest.data.file);
    const bytes = readFileSync(dataFile);

    writeFileSync(dataFile, bytes.subarray(0, 8));
    expect(() => loadCheckpoint(runDir)).toThrow(new RegExp(`${manifest.data.file}: truncated checkpoint data: 8 bytes, the manifest says ${bytes.length}`));
    const flipped = Buffer.from(bytes);
    flipped[3] ^= 0xff;
    writeFileSync(dataFile, flipped);
    expect(() => loadCheckpoint(runDir)).toThrow(/does not match its checksum/);
    rmSync(dataFile);
    expect(() => loadCheckpoint(runDir)).toThrow(/the checkpoint's data file cannot be read \(ENOENT\)/);

    writeFileSync(manifestFile, '{"format": "nas-studio-checkpoint", "version": 99}');
    expect(() => loadCheckpoint(runDir)).toThrow(/checkpoint\.json: checkpoint format version 99 is newer/);
    writeFileSync(manifestFile, '{"format": "something-else", "version": 1}');
    expect(() => loadCheckpoint(runDir)).toThrow(/checkpoint\.json: not a NAS Studio checkpoint manifest \(format:/);
    writeFileSync(manifestFile, '{ half');
    expect(() => loadCheckpoint(runDir)).toThrow(/checkpoint\.json: not a readable checkpoint manifest/);
  });

  it('restores variables and Adam/momentum state so training continues exactly as without the stop', async () => {
    const data = tf.tidy(() => tf.randomNormal([8, 3], 0, 1, 'float32', 7));
    const target = tf.tidy(() => tf.randomNormal([8, 2], 0, 1, 'float32', 8));
    const make = () => ({ w: tf.variable(tf.randomNormal([3, 2], 0, 1, 'float32', 1)), b: tf.variable(tf.zeros([2])) });
    const train = (vars: { w: tf.Variable; b: tf.Variable }, opts: tf.Optimizer[], steps: number) => {
      for (let i = 0; i < steps; i++) {
        for (const opt of opts) {
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(target, tf.add(tf.matMul(data, vars.w), vars.b)) as tf.Scalar, [vars.w, vars.b]);
            opt.applyGradients(grads);
          });
        }
      }
    };
    // Uninterrupted: 6 steps.
    const a = make();
    const optsA = [tf.train.adam(0.05), tf.train.momentum(0.01, 0.9)];
    train(a, optsA, 6);
    const expected = await readVariables([a.w, a.b]);

    // Interrupted after 3: checkpoint, rebuild everything fresh, restore, 3 more.
    const b = make();
    const optsB = [tf.train.adam(0.05), tf.train.momentum(0.01, 0.9)];
    train(b, optsB, 3);
    saveCheckpoint(runDir, {
      phase: 'search',
      epoch: 1,
      step: 3,
      rng: {},
      dataOrder: { epoch: 1, step: 3, shuffleSeed: 0 },
      groups: { weights: await readVariables([b.w, b.b]), adam: await readOptimizer(optsB[0]), momentum: await readOptimizer(optsB[1]) },
    });
    const loaded = loadCheckpoint(runDir)!;
    expect(loaded.groups.adam[0]).toMatchObject({ name: 'iter', dtype: 'int32' });
    const c = make();
    const optsC = [tf.train.adam(0.05), tf.train.momentum(0.01, 0.9)];
    const tensorsBefore = tf.memory().numTensors;
    writeVariables([c.w, c.b], loaded.groups.weights, 'weights');
    await writeOptimizer(optsC[0], loaded.groups.adam);
    await writeOptimizer(optsC[1], loaded.groups.momentum);
    // Restoring adds exactly the optimizers' slot variables (not the step counts): no stray tensors.
    const slotCount = loaded.groups.adam.length - 1 + loaded.groups.momentum.length - 1;
    expect(slotCount).toBe(6);
    expect(tf.memory().numTensors - tensorsBefore).toBe(slotCount);
    train(c, optsC, 3);
    const resumed = await readVariables([c.w, c.b]);
    resumed.forEach((r, i) => expect(Array.from(r.values)).toEqual(Array.from(expected[i].values)));
    expect(() => writeVariables([c.w], loaded.groups.weights, 'weights')).toThrow(/weights holds 2 arrays, the model has 1/);
    const wrong = tf.variable(tf.zeros([2, 3]));
    expect(() => writeVariables([wrong, c.b], loaded.groups.weights, 'weights')).toThrow(/weights\[0\] \(.*\) has shape \[3,2\], the model's .* has \[2,3\]/);
    tf.dispose([a.w, a.b, b.w, b.b, c.w, c.b, wrong, data, target]);
    for (const o of [...optsA, ...optsB, ...optsC]) o.dispose();
  });
});

describe('search loop resume', () => {
  beforeAll(() => registerDilatedConvGradients());

  // 32 weight and 32 arch samples in batches of 8: each epoch reads one full pass of both halves,
  // so a resumed run sees exactly the batches the uninterrupted one sees. GDAS also draws from the
  // sampling generator, so its state must come back too (DARTS is the same path, minus that, and slower).
  for (const strategy of ['gdas'] as const) {
    it(`${strategy}: stop after epoch 1 of 3, rebuild from scratch, resume: the same alphas, weights and genotypes as without the stop`, async () => {
      const common = { epochs: 3, maxStepsPerEpoch: 4, guard: 'none' as const };
      const straight = tinySearch(strategy, common);
      const expected = await searchLoop(straight);
      const expectedValues = await readVariables([...straight.supernet.weightVars(), ...straight.supernet.alphaVars()]);
      straight.supernet.dispose();

      const first = tinySearch(strategy, {
        ...common,
        onEpochEnd: async (state) => {
          saveCheckpoint(runDir, await captureSearchCheckpoint(state, { probsHistory: state.probsHistory }));
          if (state.epoch === 0) throw new Error('killed');
        },
      });
      await expect(searchLoop(first)).rejects.toThrow('killed');
      first.supernet.dispose();

      const checkpoint = loadCheckpoint(runDir)!;
      expect(checkpoint).toMatchObject({ epoch: 1, step: 4, dataOrder: { epoch: 1, step: 4 } });
      const resumed = tinySearch(strategy, { ...common, resume: checkpoint });
      const tensors = tf.memory().numTensors;
      const result = await searchLoop(resumed);
      // Restoring and running leave nothing behind (the optimizers' tensors go with them).
      expect(tf.memory().numTensors).toBe(tensors);
      expect(result.genotypeHistory).toEqual(expected.genotypeHistory);
      expect(result.genotype).toBe(expected.genotype);
      expect(result.steps).toBe(expected.steps);
      const values = await readVariables([...resumed.supernet.weightVars(), ...resumed.supernet.alphaVars()]);
      values.forEach((v, i) => expect(Array.from(v.values)).toEqual(Array.from(expectedValues[i].values)));
      resumed.supernet.dispose();
      resumed.strategy.dispose?.();
    });
  }

  it('refuses a checkpoint of another model, naming what does not fit', async () => {
    const options = tinySearch('darts', { epochs: 1, maxStepsPerEpoch: 1, onEpochEnd: async (state) => void saveCheckpoint(runDir, await captureSearchCheckpoint(state)) });
    await searchLoop(options);
    options.supernet.dispose();
    const checkpoint = loadCheckpoint(runDir)!;
    checkpoint.groups.weights = checkpoint.groups.weights.slice(1);
    const other = tinySearch('darts', { epochs: 2, resume: checkpoint });
    await expect(searchLoop(other)).rejects.toThrow(/checkpoint: weights holds \d+ arrays, the model has \d+ \(a different config\?\)/);
    other.supernet.dispose();
  });
});
