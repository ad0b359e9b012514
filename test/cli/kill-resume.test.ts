import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointManifestFile, loadCheckpoint } from '../../src-main/engine/search/checkpoint.js';
import { RunStore } from '../../src-main/engine/store/run-store.js';
import { readRunEvents, runCli, spawnCli, tinyRunFlags, writeTinyImageFolder } from './cli-harness.js';

let root: string;
let env: NodeJS.ProcessEnv;
let data: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-kill-'));
  env = { NAS_STUDIO_HOME: path.join(root, 'home') };
  data = writeTinyImageFolder(path.join(root, 'data'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function withStore<T>(use: (store: RunStore) => T): T {
  const store = RunStore.open(path.join(env.NAS_STUDIO_HOME as string, 'runs.db'));
  try {
    return use(store);
  } finally {
    store.close();
  }
}

describe('kill -9 during a search, then resume', () => {
  it('loses at most one epoch, completes, and leaves the run store sound', async () => {
    const out = path.join(root, 'runs-kill');
    const epochs = 6;
    const child = spawnCli([...tinyRunFlags(data, epochs), '--out', out], env);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // Kill the moment the first checkpoint exists.
    let runDir: string | undefined;
    const deadline = Date.now() + 90_000;
    while (!runDir && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const dirs = existsSync(out) ? readdirSync(out) : [];
      if (dirs.length === 1 && existsSync(checkpointManifestFile(path.join(out, dirs[0])))) runDir = path.join(out, dirs[0]);
    }
    expect(runDir, `no checkpoint appeared; stderr:\n${stderr}`).toBeDefined();
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    const runId = path.basename(runDir!);

    expect(existsSync(path.join(runDir!, 'result.json'))).toBe(false);
    const checkpoint = loadCheckpoint(runDir!)!;
    const epochsDone = readRunEvents(runDir!).filter((e) => e.type === 'epoch' && e.phase === 'search').length;
    expect(checkpoint.epoch).toBeGreaterThanOrEqual(1);
    expect(epochsDone - checkpoint.epoch).toBeLessThanOrEqual(1);

    // The store is sound after the kill and shows the run as interrupted, with the way out.
    withStore((store) => {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.getRun(runId)).toMatchObject({ status: 'failed', error: expect.stringContaining(`nas-studio resume ${runId}`) });
    });
    const listed = runCli(['runs', '--json'], env);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: runId, status: 'failed' }]);

    // Resume by a unique prefix of the id.
    const resumed = runCli(['resume', runId.slice(0, -2)], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim().split('\n').pop()).toBe(path.join(runDir!, 'result.json'));
    expect(resumed.stderr).toContain(`resumed from the checkpoint after search epoch ${checkpoint.epoch} of ${epochs}`);
    const result = JSON.parse(readFileSync(path.join(runDir!, 'result.json'), 'utf8'));
    expect(result.runId).toBe(runId);
    expect(result.genotypeHistory).toHaveLength(epochs);
    expect(result.metrics.test.accuracy).toBeGreaterThanOrEqual(0);

    // The resumed search ran only the epochs after the checkpoint.
    const events = readRunEvents(runDir!);
    const resumeAt = events.findIndex((e) => e.type === 'log' && e.message?.startsWith('resumed from the checkpoint'));
    const after = events.slice(resumeAt).filter((e) => e.type === 'epoch' && e.phase === 'search').map((e) => e.epoch);
    // (Events number epochs from 1; the checkpoint's epoch is the number of epochs it holds.)
    expect(after).toEqual(Array.from({ length: epochs - checkpoint.epoch }, (_, i) => checkpoint.epoch + 1 + i));

    withStore((store) => {
      expect(store.integrityCheck()).toBe('ok');
      const run = store.getRun(runId)!;
      expect(run).toMatchObject({ status: 'done', error: null });
      // The machine profile it ran on (saved or built without benchmarks), with the backend in use.
      expect(run.hardware).toMatchObject({ machineId: expect.stringMatching(/^[0-9a-f]{16}$/), backend: { name: expect.any(String) } });
      expect(run.genotypes.map((g) => g.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      // Epochs redone after the kill were recorded once, not twice.
      const keys = store.metrics(runId, 'search').map((m) => `${m.epoch}/${m.step}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(run.artifacts.filter((a) => a.kind === 'checkpoint')).toHaveLength(1);
    });
    const again = runCli(['resume', runId], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr.trim()).toBe(`nas-studio: run ${runId}: already finished; its result is ${path.join(runDir!, 'result.json')}.`);
  });
});

describe('NaN loss (fault injection NAS_STUDIO_FAULT_NAN_STEP)', () => {
  it('once: rolls back to the last checkpoint with halved learning rates and completes', () => {
    const out = path.join(root, 'runs-nan-once');
    // 3 steps an epoch: step 7 (0-based) is the second step of the third epoch.
    const r = runCli([...tinyRunFlags(data, 4), '--out', out], { ...env, NAS_STUDIO_FAULT_NAN_STEP: '7', NAS_STUDIO_FAULT_NAN_TIMES: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('warn: Search diverged at step 8 (epoch 3): the weight loss is NaN: rolled back to the checkpoint after epoch 2 with the learning rates halved.');
    const runDir = path.dirname(r.stdout.trim().split('\n').pop()!);
    const events = readRunEvents(runDir);
    // Detected within the step: no step event ever carried the NaN.
    expect(events.filter((e) => e.type === 'step').every((e) => typeof e.loss === 'number' && Number.isFinite(e.loss))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(runDir, 'result.json'), 'utf8')).genotypeHistory).toHaveLength(4);
    expect(loadCheckpoint(runDir)!.extra).toMatchObject({ lrScale: 0.5, rollbacks: 1 });
    withStore((store) => {
      expect(store.getRun(path.basename(runDir))!.status).toBe('done');
      // The steps redone after the rollback replace the ones recorded before it. Steps are thinned to
      // ten a second, but each epoch's last step is always recorded.
      const keys = store.metrics(path.basename(runDir), 'search').map((m) => `${m.epoch}/${m.step}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toEqual(expect.arrayContaining(['1/3', '2/3', '3/3', '4/3']));
    });
  });

  it('twice: stops with a clear message, keeps the last checkpoint, no result.json', () => {
    const out = path.join(root, 'runs-nan-twice');
    const r = runCli([...tinyRunFlags(data, 4), '--out', out], { ...env, NAS_STUDIO_FAULT_NAN_STEP: '4' });
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.pop()).toBe(
      'nas-studio: Search diverged at step 5 (epoch 2): the weight loss is NaN. Lower the learning rate or the batch size, or check the data for NaN values. ' +
        'It diverged again after a rollback with the learning rates scaled by 0.5; the run stops.',
    );
    expect(r.stderr).toContain('rolled back to the checkpoint after epoch 1 with the learning rates halved');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const runDir = path.join(out, readdirSync(out)[0]);
    expect(existsSync(path.join(runDir, 'result.json'))).toBe(false);
    expect(loadCheckpoint(runDir)!.epoch).toBe(1);
    withStore((store) => expect(store.getRun(path.basename(runDir))).toMatchObject({ status: 'failed', error: expect.stringContaining('diverged again') }));

    // Resumed by its folder's path with a store that knows nothing of it (moved or lost), without the fault: it completes.
    const otherHome = { NAS_STUDIO_HOME: path.join(root, 'other-home') };
    const resumed = runCli(['resume', runDir], otherHome);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resumed from the checkpoint after search epoch 1 of 4');
    expect(existsSync(path.join(runDir, 'result.json'))).toBe(true);
    const store = RunStore.open(path.join(otherHome.NAS_STUDIO_HOME, 'runs.db'));
    try {
      expect(store.getRun(path.basename(runDir))).toMatchObject({ status: 'done', runDir });
    } finally {
      store.close();
    }
  });
});
