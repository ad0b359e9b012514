import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointManifestFile, loadCheckpoint } from '../../src-main/engine/search/checkpoint.js';
import { RunStore } from '../../src-main/engine/store/run-store.js';
import { spawnCli, tinyRunFlags, writeTinyImageFolder } from './cli-harness.js';

let root: string;
let env: NodeJS.ProcessEnv;
let data: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-two-runs-'));
  env = { NAS_STUDIO_HOME: path.join(root, 'home') };
  data = writeTinyImageFolder(path.join(root, 'data'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function start(out: string, epochs: number) {
  const child = spawnCli([...tinyRunFlags(data, epochs), '--out', out], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const runDirOf = (out: string) => (existsSync(out) && readdirSync(out).length === 1 ? path.join(out, readdirSync(out)[0]) : undefined);

describe('two searches at once', () => {
  it('run side by side on one store; cancelling one leaves the other to finish', async () => {
    const outA = path.join(root, 'a');
    const outB = path.join(root, 'b');
    const a = start(outA, 8);
    const b = start(outB, 3);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const dir = runDirOf(outA);
      if (dir && existsSync(checkpointManifestFile(dir))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    a.child.kill('SIGINT');
    const [ra, rb] = await Promise.all([a.done, b.done]);

    expect(ra.code).not.toBe(0);
    expect(ra.stderr.trim().split('\n').pop()).toBe('nas-studio: The run was cancelled.');
    expect(rb.code, rb.stderr).toBe(0);
    expect(existsSync(rb.stdout.trim())).toBe(true);

    const runA = path.basename(runDirOf(outA)!);
    const runB = path.basename(runDirOf(outB)!);
    expect(existsSync(path.join(outA, runA, 'result.json'))).toBe(false);
    // The cancelled run keeps a valid checkpoint: it can be resumed later.
    expect(loadCheckpoint(path.join(outA, runA))!.epoch).toBeGreaterThanOrEqual(1);
    const store = RunStore.open(path.join(env.NAS_STUDIO_HOME as string, 'runs.db'));
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.getRun(runA)).toMatchObject({ status: 'cancelled', error: 'The run was cancelled.' });
      expect(store.getRun(runB)).toMatchObject({ status: 'done', error: null });
      expect(store.getRun(runB)!.genotypes).toHaveLength(3);
    } finally {
      store.close();
    }
  });
});
