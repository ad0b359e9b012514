import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../../src-main/engine/store/migrations.js';
import { defaultStoreFile, RunStore } from '../../../src-main/engine/store/run-store.js';
import { storeListener } from '../../../src-main/engine/store/store-listener.js';

let dir: string;
let store: RunStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'run-store-'));
  store = RunStore.open(path.join(dir, 'runs.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunStore', () => {
  it('lives in NAS_STUDIO_HOME, else ~/.nas-studio', () => {
    expect(defaultStoreFile({ NAS_STUDIO_HOME: '/data/nas' })).toBe(path.resolve('/data/nas/runs.db'));
    expect(defaultStoreFile({})).toBe(path.join(os.homedir(), '.nas-studio', 'runs.db'));
  });

  it('opens in WAL mode at the newest schema version and passes the integrity check', () => {
    const raw = new Database(store.file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('applies only missing migrations and refuses a newer file', () => {
    const db = new Database(':memory:');
    expect(migrate(db, ['CREATE TABLE a (x)'])).toBe(1);
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(() => migrate(db, ['CREATE TABLE a (x)'])).toThrow(/schema version 2, newer than this NAS Studio knows \(1\)/);
    db.close();
  });

  it('records a run through its life: status, timings, metrics, genotypes, artifacts', () => {
    store.createRun({ id: 'r1', runDir: '/runs/r1', config: { task: 'classification', epochs: 2 }, hardware: { cores: 2 } });
    expect(store.getRun('r1')).toMatchObject({ status: 'queued', startedAt: null, config: { epochs: 2 }, hardware: { cores: 2 } });
    store.setStatus('r1', 'running');
    store.recordStep('r1', { phase: 'search', epoch: 0, step: 0, loss: 2.3, score: 0.1, time: 0.5 });
    store.recordStep('r1', { phase: 'search', epoch: 0, step: 1, loss: NaN, score: 0.2, time: 0.9 });
    store.recordEpochGenotype('r1', { epoch: 0, genotype: 'G0', alphas: { normal: [[0.5, 0.5]] } });
    store.recordEpochGenotype('r1', { epoch: 0, genotype: 'G0b' });
    store.addArtifact('r1', { kind: 'checkpoint', path: '/runs/r1/checkpoint/a.bin', bytes: 10 });
    store.setStatus('r1', 'done', { result: { accuracy: 0.9 } });
    const run = store.getRun('r1')!;
    expect(run.status).toBe('done');
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();
    expect(run.result).toEqual({ accuracy: 0.9 });
    expect(run.genotypes).toEqual([{ epoch: 0, genotype: 'G0b' }]);
    expect(run.artifacts).toMatchObject([{ kind: 'checkpoint', bytes: 10 }]);
    expect(run.progress).toEqual([{ phase: 'search', steps: 2, lastEpoch: 0, lastLoss: null }]);
    expect(Number.isNaN(store.metrics('r1')[1].loss)).toBe(true);
  });

  it('rejects unknown statuses and artifact kinds, duplicate ids and unknown runs by name', () => {
    store.createRun({ id: 'r1', runDir: '/x', config: {} });
    expect(() => store.createRun({ id: 'r1', runDir: '/x', config: {} })).toThrow(/run r1: a run with this id is already in the store/);
    expect(() => store.setStatus('r1', 'finished' as never)).toThrow(/run status must be one of/);
    expect(() => store.addArtifact('r1', { kind: 'zip' as never, path: '/a', bytes: 1 })).toThrow(/artifact kind must be one of/);
    expect(() => store.setStatus('nope', 'done')).toThrow(/run nope: not in the run store/);
  });

  it('finds runs by a unique prefix and refuses an ambiguous one', () => {
    store.createRun({ id: '20261122-100000-a', runDir: '/a', config: {} });
    store.createRun({ id: '20261122-100000-b', runDir: '/b', config: {} });
    store.createRun({ id: 'x_1', runDir: '/c', config: {} });
    expect(store.getRun('20261122-100000-b')?.runDir).toBe('/b');
    expect(() => store.getRun('20261122')).toThrow(/matches several runs/);
    expect(store.getRun('x_')?.id).toBe('x_1');
    expect(store.getRun('x%')).toBeUndefined();
    expect(store.getRun('zzz')).toBeUndefined();
  });

  it('lists newest first, filters by status, and keeps runs apart (cancelling one leaves the other)', () => {
    store.createRun({ id: 'a', runDir: '/a', config: {}, status: 'running' });
    store.createRun({ id: 'b', runDir: '/b', config: {}, status: 'running' });
    store.setStatus('a', 'cancelled', { error: 'The run was cancelled.' });
    expect(store.getRun('b')).toMatchObject({ status: 'running', error: null });
    expect(store.listRuns({ status: 'cancelled' }).map((r) => r.id)).toEqual(['a']);
    expect(store.listRuns().map((r) => r.id).sort()).toEqual(['a', 'b']);
  });

  it('drops the metrics and genotypes of epochs a resumed run redoes', () => {
    store.createRun({ id: 'r', runDir: '/r', config: {} });
    for (const epoch of [0, 1, 2]) {
      store.recordStep('r', { phase: 'search', epoch, step: 0, loss: 1, score: 0, time: epoch });
      store.recordEpochGenotype('r', { epoch, genotype: `G${epoch}` });
    }
    store.truncateFrom('r', 'search', 1);
    expect(store.metrics('r').map((m) => m.epoch)).toEqual([0]);
    expect(store.getRun('r')!.genotypes.map((g) => g.epoch)).toEqual([0]);
  });

  it('marks a run whose process died as failed with a resume hint', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    store.createRun({ id: 'dead', runDir: '/d', config: {}, status: 'running' });
    const raw = new Database(store.file);
    raw.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(pid, 'dead');
    raw.close();
    const run = store.getRun('dead')!;
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/interrupted: .*nas-studio resume dead/);
  });

  it('shares one file between connections (the CLI and the app)', () => {
    const other = RunStore.open(store.file);
    other.createRun({ id: 'from-app', runDir: '/app', config: { a: 1 } });
    expect(store.getRun('from-app')?.config).toEqual({ a: 1 });
    other.close();
  });

  it('names the file when the store cannot be opened', () => {
    const file = path.join(dir, 'not-a-db');
    writeFileSync(file, 'this is text, not SQLite, and long enough to have a header');
    expect(() => RunStore.open(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the run store cannot be used`));
  });

  it('records run events through the listener', () => {
    store.createRun({ id: 'ev', runDir: '/ev', config: {}, status: 'running' });
    const listen = storeListener(store, 'ev');
    listen({ type: 'phase', phase: 'search' });
    listen({ type: 'step', phase: 'search', epoch: 0, epochs: 1, step: 0, stepsPerEpoch: 1, loss: 1.5, score: 0.3, scoreName: 'accuracy', etaSeconds: 1, imagesPerSecond: 10 });
    listen({ type: 'epoch', phase: 'search', epoch: 0, epochs: 1, trainLoss: 1.5, trainScore: 0.3, genotype: 'G' });
    const run = store.getRun('ev')!;
    expect(run.phase).toBe('search');
    expect(run.genotypes).toEqual([{ epoch: 0, genotype: 'G' }]);
    expect(store.metrics('ev')).toMatchObject([{ phase: 'search', loss: 1.5, score: 0.3 }]);
    const errors: Error[] = [];
    const broken = storeListener(store, 'ev', (e) => errors.push(e));
    store.close();
    broken({ type: 'phase', phase: 'retrain' });
    broken({ type: 'phase', phase: 'evaluate' });
    expect(errors).toHaveLength(1);
  });
});
