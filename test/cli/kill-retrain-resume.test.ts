import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainCheckpointFile, retrainCheckpointRoot } from '../../src-main/engine/derive/retrain-checkpoint.js';
import { loadCheckpoint } from '../../src-main/engine/search/checkpoint.js';
import { RunStore } from '../../src-main/engine/store/run-store.js';
import { readRunEvents, runCli, spawnCli, tinyRunFlags, writeTinyImageFolder } from './cli-harness.js';

let root: string;
let env: NodeJS.ProcessEnv;
let data: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-kill-retrain-'));
  env = { NAS_STUDIO_HOME: path.join(root, 'home') };
  data = writeTinyImageFolder(path.join(root, 'data'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kill -9 during retraining, then resume', () => {
  it('continues after the last finished retraining epoch, not from scratch', async () => {
    const out = path.join(root, 'runs');
    const retrainEpochs = 8;
    const flags = tinyRunFlags(data, 1);
    flags[flags.indexOf('--retrain-epochs') + 1] = String(retrainEpochs);
    const child = spawnCli([...flags, '--out', out], env);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // Kill the moment the first retraining checkpoint exists.
    let runDir: string | undefined;
    const deadline = Date.now() + 90_000;
    while (!runDir && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const dirs = existsSync(out) ? readdirSync(out) : [];
      if (dirs.length === 1 && existsSync(retrainCheckpointFile(path.join(out, dirs[0])))) runDir = path.join(out, dirs[0]);
    }
    expect(runDir, `no retraining checkpoint appeared; stderr:\n${stderr}`).toBeDefined();
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    const runId = path.basename(runDir!);
    expect(existsSync(path.join(runDir!, 'result.json')), 'the run finished before the kill').toBe(false);
    const checkpoint = loadCheckpoint(retrainCheckpointRoot(runDir!))!;
    expect(checkpoint.phase).toBe('retrain');
    expect(checkpoint.epoch).toBeGreaterThanOrEqual(1);
    expect(checkpoint.epoch).toBeLessThan(retrainEpochs);

    const resumed = runCli(['resume', runId], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim().split('\n').pop()).toBe(path.join(runDir!, 'result.json'));
    expect(resumed.stderr).toContain(`resumed retraining after epoch ${checkpoint.epoch} of ${retrainEpochs}`);
    expect(resumed.stderr).not.toContain('starts over');

    // Only the retraining epochs after the checkpoint ran again; the search did not.
    const events = readRunEvents(runDir!);
    const resumeAt = events.findIndex((e) => e.type === 'log' && e.message?.startsWith('resumed: the search had finished'));
    expect(resumeAt).toBeGreaterThan(0);
    const after = events.slice(resumeAt).filter((e) => e.type === 'epoch');
    expect(after.every((e) => e.phase === 'retrain')).toBe(true);
    expect(after.map((e) => e.epoch)).toEqual(Array.from({ length: retrainEpochs - checkpoint.epoch }, (_, i) => checkpoint.epoch + 1 + i));
    expect(loadCheckpoint(retrainCheckpointRoot(runDir!))!.epoch).toBe(retrainEpochs);

    const store = RunStore.open(path.join(env.NAS_STUDIO_HOME as string, 'runs.db'));
    try {
      expect(store.getRun(runId)).toMatchObject({ status: 'done', error: null });
      // The retraining steps recorded before the kill are kept once; the redone epoch is not doubled.
      const keys = store.metrics(runId, 'retrain').map((m) => `${m.epoch}/${m.step}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.some((k) => k.startsWith('1/'))).toBe(true);
    } finally {
      store.close();
    }
  }, 180_000);
});
