import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runsCommand } from '../../src-main/cli/runs.command.js';
import { RunStore } from '../../src-main/engine/store/run-store.js';

let home: string;
let previousHome: string | undefined;
let stdout: string;
let stderr: string;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'nas-runs-cli-'));
  previousHome = process.env.NAS_STUDIO_HOME;
  process.env.NAS_STUDIO_HOME = home;
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    stderr += `${String(line)}\n`;
  });
  vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new Error(`exit ${code}`);
  }) as never);
});

afterEach(() => {
  vi.restoreAllMocks();
  if (previousHome === undefined) delete process.env.NAS_STUDIO_HOME;
  else process.env.NAS_STUDIO_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

function seed(): void {
  const store = RunStore.open(path.join(home, 'runs.db'));
  const config = { task: 'classification', space: 'nb201', strategy: 'gdas', epochs: 2, retrainEpochs: 1, seed: 0 };
  store.createRun({ id: '20261122-100000-classification-gdas-aaaa', runDir: '/runs/a', config, status: 'running' });
  store.recordStep('20261122-100000-classification-gdas-aaaa', { phase: 'search', epoch: 0, step: 0, loss: 1.25, score: 0.5, time: 1 });
  store.recordEpochGenotype('20261122-100000-classification-gdas-aaaa', { epoch: 0, genotype: '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|avg_pool_3x3~2|' });
  store.addArtifact('20261122-100000-classification-gdas-aaaa', { kind: 'model', path: '/runs/a/model', bytes: 1234 });
  store.setStatus('20261122-100000-classification-gdas-aaaa', 'done', { result: { metrics: { test: { accuracy: 0.9123 } } } });
  store.createRun({ id: '20261122-110000-denoising-darts-bbbb', runDir: '/runs/b', config: { ...config, task: 'denoising', strategy: 'darts' }, status: 'running' });
  store.setStatus('20261122-110000-denoising-darts-bbbb', 'failed', { error: '/data/x.png: corrupt PNG: cannot decode' });
  store.close();
}

describe('nas-studio runs', () => {
  it('lists runs newest first as a table', async () => {
    seed();
    await runsCommand().parseAsync([], { from: 'user' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+TASK\s+STRATEGY\s+PHASE\s+CREATED\s+RESULT$/);
    expect(lines[1]).toMatch(/^20261122-110000-denoising-darts-bbbb\s+failed\s+denoising\s+darts\s+.*corrupt PNG: cannot decode$/);
    expect(lines[2]).toMatch(/^20261122-100000-classification-gdas-aaaa\s+done\s+classification\s+gdas\s+.*acc 91\.2%$/);
  });

  it('--json and --status filter', async () => {
    seed();
    await runsCommand().parseAsync(['--json', '--status', 'done'], { from: 'user' });
    const runs = JSON.parse(stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: '20261122-100000-classification-gdas-aaaa', status: 'done', config: { strategy: 'gdas' } });
  });

  it('says how to start when the store is empty', async () => {
    await runsCommand().parseAsync([], { from: 'user' });
    expect(stdout).toBe('No runs yet. Start one with: nas-studio search\n');
  });

  it('show RUN: status, config, progress, genotypes and artifacts, by a unique prefix', async () => {
    seed();
    await runsCommand().parseAsync(['show', '20261122-10'], { from: 'user' });
    expect(stdout).toContain('Run       20261122-100000-classification-gdas-aaaa');
    expect(stdout).toContain('Status    done');
    expect(stdout).toContain('Config    task classification, space nb201, strategy gdas, 2 search + 1 retrain epochs, seed 0');
    expect(stdout).toContain('Result    acc 91.2%');
    expect(stdout).toContain('Progress  search: 1 steps recorded, last epoch 0, last loss 1.2500');
    expect(stdout).toContain('  epoch 0: |nor_conv_3x3~0|+|skip_connect~0|');
    expect(stdout).toMatch(/model\s+\/runs\/a\/model \(1234 bytes\)/);
  });

  it('show --json gives the whole record', async () => {
    seed();
    await runsCommand().parseAsync(['show', '20261122-110000-denoising-darts-bbbb', '--json'], { from: 'user' });
    expect(JSON.parse(stdout)).toMatchObject({ status: 'failed', error: '/data/x.png: corrupt PNG: cannot decode', genotypes: [], artifacts: [] });
  });

  it('show: an unknown or ambiguous run is one clear line and exit 2', async () => {
    seed();
    await expect(runsCommand().parseAsync(['show', 'nope'], { from: 'user' })).rejects.toThrow('exit 2');
    await expect(runsCommand().parseAsync(['show', '2026'], { from: 'user' })).rejects.toThrow('exit 2');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^nas-studio: run 'nope': no such run in .*runs\.db \(list them with: nas-studio runs\)\.$/);
    expect(lines[1]).toMatch(/^nas-studio: run '2026': the prefix matches several runs/);
    expect(stdout).toBe('');
  });
});
