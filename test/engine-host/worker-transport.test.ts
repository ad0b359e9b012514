import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerEngine, type WorkerEngine } from '../../src-main/engine-host/worker-engine.js';
import { sampleResult, tempRunsDir, writeRunFolder } from './helpers.js';

describe('engine host over worker_threads', () => {
  let engine: WorkerEngine | undefined;
  afterEach(async () => {
    await engine?.terminate();
    engine = undefined;
  });

  it('answers requests from a worker thread, refuses bad ones, and fails pending requests when it ends', async () => {
    const runsDir = tempRunsDir();
    writeRunFolder(runsDir, 'run-a', sampleResult('run-a'));
    engine = startWorkerEngine({ runsDir, version: '1.2.3', mode: 'serve' });
    expect(await engine.client.invoke('app:info', {})).toEqual({ result: { version: '1.2.3', mode: 'serve', platform: process.platform } });
    const list = await engine.client.invoke('runs:list', {});
    expect(list).toMatchObject({ result: [{ runId: 'run-a', status: 'done' }] });
    expect(await engine.client.invoke('runs:get', { runId: '../../etc' })).toMatchObject({ error: { name: 'ValidationError' } });
    const exited = new Promise<number>((resolve) => engine?.onExit(resolve));
    const pending = engine.client.invoke('runs:list', {});
    await engine.terminate();
    await exited;
    const reply = await pending;
    // Either answered before the end or failed by it: never left hanging.
    expect('result' in reply || reply.error.name === 'EngineCrashed').toBe(true);
  }, 60_000);
});
