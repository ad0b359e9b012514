import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/engine/store/run-store.js';
import { canMountSmallDisk, mountSmallDisk, type SmallDisk } from '../engine/store/fs-faults.js';
import { inBatches, repoRoot, runCliAsync, tinyRunFlags, writeTinyImageFolder, type CliResult } from './cli-harness.js';

/**
 * The bad-input corpus through the real CLI: each input gets one line naming it and the problem, a
 * non-zero exit, no stack trace, and what was saved before (a finished run and the run store) is intact.
 */
const bad = path.join(repoRoot, 'test/fixtures/bad');
let root: string;
let env: NodeJS.ProcessEnv;
let out: string;
let tiny: string;
let disk: SmallDisk | undefined;

interface Case {
  name: string;
  args: () => string[];
  /** The one error line: names the input and the problem. */
  message: RegExp;
}

/** Small, fast search flags: bad data fails at loading, long before any training. */
const search = (...args: string[]) => ['search', ...args, '--epochs', '1', '--retrain-epochs', '1', '--workers', '1', '--out', out];

function folderWith(name: string, badFile: string): string {
  const dir = path.join(root, name);
  cpSync(tiny, dir, { recursive: true });
  copyFileSync(path.join(bad, badFile), path.join(dir, 'disc', badFile));
  return dir;
}

const cases: Case[] = [
  { name: 'corrupt PNG', args: () => search('--data', folderWith('with-corrupt-png', 'corrupt.png')), message: /with-corrupt-png\/disc\/corrupt\.png: corrupt PNG: cannot decode/ },
  { name: '20000×20000 image header', args: () => search('--data', folderWith('with-huge-header', 'huge-header.png')), message: /with-huge-header\/disc\/huge-header\.png: the header says 20000×20000 \(400 MP\), above the limit/ },
  { name: 'truncated IDX', args: () => search('--data', path.join(bad, 'truncated-images-idx3-ubyte')), message: /truncated-images-idx3-ubyte: truncated: header says 100×28×28 = 78400 bytes of pixels, the file has 1024/ },
  { name: 'IDX with a wrong magic number', args: () => search('--data', path.join(bad, 'wrong-magic-idx3-ubyte')), message: /wrong-magic-idx3-ubyte: wrong magic number 0x00000802/ },
  { name: 'ragged CSV row', args: () => search('--task', 'har', '--data', path.join(bad, 'har/ragged-row.csv')), message: /har\/ragged-row\.csv:8: 5 columns, the header has 6/ },
  { name: 'NaN in a CSV row', args: () => search('--task', 'har', '--data', path.join(bad, 'har/nan-value.csv')), message: /har\/nan-value\.csv:13: column "acc_x" is "NaN", not a number/ },
  {
    name: 'empty folder',
    args: () => {
      const dir = path.join(root, 'empty-folder');
      mkdirSync(dir, { recursive: true });
      return search('--data', dir);
    },
    message: /empty-folder: the folder is empty: it needs one subfolder of images per class/,
  },
  { name: 'folder with one class', args: () => search('--data', path.join(bad, 'one-class')), message: /one-class: only one class \("only"\): a classifier needs at least two class subfolders/ },
  { name: 'non-image files', args: () => search('--data', path.join(bad, 'not-an-image')), message: /not-an-image\/cats\/fake\.png: not an image: neither PNG nor JPEG/ },
  { name: 'zero budget (flag)', args: () => ['search', '--epochs', '0', '--out', out], message: /--epochs must be a positive whole number, got '0'/ },
  { name: 'negative budget (flag)', args: () => ['search', '--max-params', '-5', '--out', out], message: /--max-params must be a positive whole number, got '-5'/ },
  { name: 'zero budget (config file)', args: () => ['search', '--config', path.join(bad, 'config-zero-budget.json'), '--out', out], message: /epochs: Too small/ },
  { name: 'negative budget (config file)', args: () => ['search', '--config', path.join(bad, 'config-negative-budget.json'), '--out', out], message: /maxParams: Too small/ },
  { name: 'unknown flag', args: () => ['search', '--frobnicate', '--out', out], message: /unknown option '--frobnicate'/ },
  { name: 'config file that is not JSON', args: () => ['search', '--config', path.join(bad, 'config-not-json.json'), '--out', out], message: /config-not-json\.json: not a JSON object/ },
  {
    name: 'output folder that cannot be created (a file is in the way)',
    args: () => {
      const file = path.join(root, 'a-file');
      writeFileSync(file, 'not a folder');
      return ['search', '--data', tiny, '--out', path.join(file, 'runs')];
    },
    message: /a-file\/runs\/[\w-]+: cannot create the run folder \(a file is in the way: ENOTDIR\)/,
  },
  { name: 'unknown run to show', args: () => ['runs', 'show', 'no-such-run'], message: /run 'no-such-run': no such run in .*runs\.db/ },
  { name: 'unknown run to resume', args: () => ['resume', 'no-such-run'], message: /run 'no-such-run': no such run in .*runs\.db \(list them with: nas-studio runs\), and no run folder with a config\.json at that path\./ },
];

/** Everything under a folder: relative path → sha256. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

const existingRun = 'earlier-run';
let before: { files: Record<string, string>; record: unknown };
const results = new Map<string, CliResult>();
let storeFile: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-bad-input-'));
  env = { NAS_STUDIO_HOME: path.join(root, 'home') };
  out = path.join(root, 'runs');
  tiny = writeTinyImageFolder(path.join(root, 'tiny'), 4);
  storeFile = path.join(root, 'home', 'runs.db');
  // What was saved before: a finished run's folder and its row in the run store.
  const runDir = path.join(out, existingRun);
  mkdirSync(path.join(runDir, 'checkpoint'), { recursive: true });
  writeFileSync(path.join(runDir, 'config.json'), '{"task":"classification"}\n');
  writeFileSync(path.join(runDir, 'result.json'), '{"runId":"earlier-run","metrics":{"test":{"accuracy":0.9}}}\n');
  writeFileSync(path.join(runDir, 'checkpoint', 'checkpoint.json'), '{}\n');
  const store = RunStore.open(storeFile);
  store.createRun({ id: existingRun, runDir, config: { task: 'classification' }, status: 'running' });
  store.recordEpochGenotype(existingRun, { epoch: 0, genotype: 'G' });
  store.setStatus(existingRun, 'done', { result: { metrics: { test: { accuracy: 0.9 } } } });
  before = { files: snapshot(runDir), record: store.getRun(existingRun) };
  store.close();

  const tasks = cases.map((c) => async () => results.set(c.name, await runCliAsync(c.args(), env)));
  await inBatches(tasks, 3);
}, 240_000);

afterAll(() => {
  disk?.unmount();
  rmSync(root, { recursive: true, force: true });
});

function expectOneClearLine(r: CliResult, message: RegExp): void {
  expect(r.status, r.stderr).not.toBe(0);
  expect(r.status).not.toBeNull();
  const errorLines = r.stderr.split('\n').filter((line) => /^(nas-studio: |error: )/.test(line));
  expect(errorLines, r.stderr).toHaveLength(1);
  expect(errorLines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toBe('');
}

describe('bad input through the CLI', () => {
  for (const c of cases) {
    it(c.name, () => expectOneClearLine(results.get(c.name)!, c.message));
  }

  it('nothing already saved is lost, and no failed run looks finished', () => {
    expect(snapshot(path.join(out, existingRun))).toEqual(before.files);
    const store = RunStore.open(storeFile);
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.getRun(existingRun)).toEqual(before.record);
      for (const dir of readdirSync(out).filter((d) => d !== existingRun)) {
        expect(existsSync(path.join(out, dir, 'result.json'))).toBe(false);
        // Every run that got as far as a folder is in the store, failed, with its message.
        expect(store.getRun(dir)).toMatchObject({ status: 'failed', error: expect.any(String) });
      }
    } finally {
      store.close();
    }
    const temps = Object.keys(snapshot(out)).filter((f) => f.endsWith('.tmp'));
    expect(temps).toEqual([]);
  });

  it('mixed image sizes and modes are not an error: they are resized and the run completes', async () => {
    const r = await runCliAsync([...tinyRunFlags(path.join(bad, 'mixed-modes'), 1), '--out', out], env);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(r.stdout.trim())).toBe(true);
  });

  it.skipIf(!canMountSmallDisk)('a disk that fills up mid-run: one line saying so, no result.json, no temp files, the checkpoint still loads', async () => {
    disk = mountSmallDisk(160);
    const r = await runCliAsync([...tinyRunFlags(tiny, 30), '--out', disk!.dir], env);
    expectOneClearLine(r, /: could not be written \(the disk is full\)/);
    const [runDir] = readdirSync(disk!.dir).map((d) => path.join(disk!.dir, d));
    expect(existsSync(path.join(runDir, 'result.json'))).toBe(false);
    expect(Object.keys(snapshot(disk!.dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
    const { loadCheckpoint } = await import('../../src-main/engine/search/checkpoint.js');
    expect(() => loadCheckpoint(runDir)).not.toThrow();
    const store = RunStore.open(storeFile);
    try {
      expect(store.getRun(path.basename(runDir))).toMatchObject({ status: 'failed', error: expect.stringContaining('the disk is full') });
    } finally {
      store.close();
    }
  });

  it.skipIf(!canMountSmallDisk)('a read-only output folder: one line naming it', async () => {
    const ro = mountSmallDisk(16)!;
    try {
      ro.readOnly();
      const r = await runCliAsync(['search', '--data', tiny, '--out', ro.dir], env);
      expectOneClearLine(r, new RegExp(`${ro.dir}/[\\w-]+: cannot create the run folder \\(the folder is not writable: EROFS\\)`));
    } finally {
      ro.unmount();
    }
  });
});

