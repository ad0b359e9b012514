import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointManifestFile, loadCheckpoint } from '../../src-main/engine/search/checkpoint.js';
import { RunStore } from '../../src-main/engine/store/run-store.js';
import { runCli, spawnCli, tinyRunFlags, writeTinyImageFolder } from './cli-harness.js';

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
  it('run side by side on one store; cancelling one leaves the other to finish; the cancelled one resumes later', async () => {
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

    // A damaged checkpoint is refused by name and changes nothing; once repaired, the cancelled run resumes to the end.
    const dataFile = path.join(outA, runA, 'checkpoint', JSON.parse(readFileSync(checkpointManifestFile(path.join(outA, runA)), 'utf8')).data.file);
    const good = readFileSync(dataFile);
    const damaged = Buffer.from(good);
    damaged[100] ^= 0xff;
    writeFileSync(dataFile, damaged);
    const refused = runCli(['resume', runA], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`nas-studio: ${dataFile}: checkpoint data does not match its checksum (changed or damaged).`);
    writeFileSync(dataFile, good);
    const resumed = runCli(['resume', runA], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(outA, runA, 'result.json'), 'utf8')).genotypeHistory).toHaveLength(8);
    const after = RunStore.open(path.join(env.NAS_STUDIO_HOME as string, 'runs.db'));
    try {
      expect(after.getRun(runA)).toMatchObject({ status: 'done', error: null });
      expect(after.getRun(runB)).toMatchObject({ status: 'done' });
    } finally {
      after.close();
    }
  });
});
