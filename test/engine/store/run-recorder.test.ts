import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunCancelledError } from '../../../src-main/engine/search/run-control.js';
import { RunRecorder } from '../../../src-main/engine/store/run-recorder.js';
import { RunStore } from '../../../src-main/engine/store/run-store.js';

let dir: string;
let store: RunStore;
let warnings: string[];
const warn = (m: string) => warnings.push(m);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'run-recorder-'));
  store = RunStore.open(path.join(dir, 'runs.db'));
  warnings = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const step = (epoch: number) => ({ type: 'step' as const, phase: 'search' as const, epoch, epochs: 3, step: 0, stepsPerEpoch: 1, loss: 1, score: 0, scoreName: 'accuracy', etaSeconds: 0, imagesPerSecond: 1 });

describe('RunRecorder', () => {
  it('creates a running run, records events, one checkpoint artifact, and the final status', () => {
    const r = RunRecorder.start({ store, runId: 'r', runDir: '/r', config: { a: 1 }, hardware: { cpus: 2 }, warn });
    r.onEvent(step(0));
    r.checkpoint('/r/checkpoint/e1.bin', 10);
    r.checkpoint('/r/checkpoint/e2.bin', 20);
    r.artifact('model', '/r/model', 30);
    r.done({ params: 5 });
    const run = store.getRun('r')!;
    expect(run).toMatchObject({ status: 'done', hardware: { cpus: 2 }, result: { params: 5 } });
    expect(run.artifacts.map((a) => [a.kind, a.path])).toEqual([
      ['checkpoint', '/r/checkpoint/e2.bin'],
      ['model', '/r/model'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('marks a cancelled run cancelled and a failed one failed, with the message', () => {
    RunRecorder.start({ store, runId: 'c', runDir: '/c', config: {}, warn }).failed(new RunCancelledError());
    RunRecorder.start({ store, runId: 'f', runDir: '/f', config: {}, warn }).failed(new Error('/x.png: corrupt PNG'));
    expect(store.getRun('c')).toMatchObject({ status: 'cancelled', error: 'The run was cancelled.' });
    expect(store.getRun('f')).toMatchObject({ status: 'failed', error: '/x.png: corrupt PNG' });
  });

  it('on resume drops the records of the epochs to redo and runs again', () => {
    const first = RunRecorder.start({ store, runId: 'r', runDir: '/r', config: {}, warn });
    for (const e of [0, 1, 2]) first.onEvent(step(e));
    first.failed(new Error('killed'));
    RunRecorder.start({ store, runId: 'r', runDir: '/r', config: {}, resume: { phase: 'search', fromEpoch: 2 }, warn });
    expect(store.getRun('r')).toMatchObject({ status: 'running', error: null });
    expect(store.metrics('r').map((m) => m.epoch)).toEqual([0, 1]);
  });

  it('adopts a run the app queued', () => {
    store.createRun({ id: 'q', runDir: '/q', config: {} });
    RunRecorder.start({ store, runId: 'q', runDir: '/q', config: {}, warn });
    expect(store.getRun('q')!.status).toBe('running');
    expect(warnings).toEqual([]);
  });

  it('never stops a run: a store that cannot be opened or written is a warning', () => {
    const blocked = path.join(dir, 'file');
    RunStore.open(path.join(dir, 'ok.db')).close();
    writeFileSync(blocked, 'x');
    const previous = process.env.NAS_STUDIO_HOME;
    process.env.NAS_STUDIO_HOME = path.join(blocked, 'home');
    try {
      const r = RunRecorder.start({ runId: 'x', runDir: '/x', config: {}, warn });
      r.onEvent(step(0));
      r.done({});
      r.close();
    } finally {
      if (previous === undefined) delete process.env.NAS_STUDIO_HOME;
      else process.env.NAS_STUDIO_HOME = previous;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^run store: .*runs\.db: cannot open the run store \(ENOTDIR\); the run goes on without being listed/);
    const r = RunRecorder.start({ store, runId: 'y', runDir: '/y', config: {}, warn });
    store.close();
    r.onEvent(step(0));
    r.done({});
    expect(warnings.slice(1).every((w) => w.startsWith('run store: '))).toBe(true);
    expect(warnings.length).toBeGreaterThan(1);
  });
});
