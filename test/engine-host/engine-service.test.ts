import { describe, expect, it } from 'vitest';
import type { EventChannel, EventPayloads, InvokeChannel, InvokeRequest, InvokeResponses } from '../../src-main/contract/channels.js';
import { unwrapReply } from '../../src-main/engine-host/dispatch.js';
import { createHostClient } from '../../src-main/engine-host/host-client.js';
import { startEngineHost } from '../../src-main/engine-host/host.js';
import { createInMemoryPair } from '../../src-main/engine-host/transports.js';
import { fakeRunSearch, sampleResult, tempRunsDir, writeRunFolder } from './helpers.js';

function connect(runSearch = fakeRunSearch(), runsDir = tempRunsDir()) {
  const pair = createInMemoryPair();
  const host = startEngineHost(pair.host, { runsDir, mode: 'serve', version: '9.9.9', engine: { runSearch, hardwareProfile: async () => ({ cores: 2 }) }, stepIntervalMs: 100 });
  const client = createHostClient(pair.client);
  const events: { channel: EventChannel; payload: EventPayloads[EventChannel] }[] = [];
  client.onEvent((channel, payload) => events.push({ channel, payload }));
  const invoke = async <C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponses[C]> => unwrapReply(await client.invoke(channel, request));
  const statuses = (runId: string) => events.filter((e) => e.channel === 'run:status' && (e.payload as EventPayloads['run:status']).runId === runId).map((e) => (e.payload as EventPayloads['run:status']).status);
  return { host, client, events, invoke, statuses, runsDir, runSearch };
}

describe('engine host over the in-memory transport', () => {
  it('round-trips app:info and refuses a bad request as data', async () => {
    const { client, invoke } = connect();
    expect(await invoke('app:info', {})).toEqual({ version: '9.9.9', mode: 'serve', platform: process.platform });
    expect(await client.invoke('runs:get', { runId: '../x' })).toMatchObject({ error: { name: 'ValidationError' } });
    expect(await client.invoke('dialog:pickPath', { kind: 'folder' })).toMatchObject({ error: { name: 'NotAvailableError' } });
  });

  it('runs a search, forwards throttled events without dropping phase or epoch, and reports status', async () => {
    const { host, events, invoke, statuses, runsDir } = connect(fakeRunSearch(200, 1));
    const { runId } = await invoke('search:start', { config: { preset: 'quick' } });
    expect(runId).toMatch(/^[A-Za-z0-9_-]+$/);
    await host.service.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const runEvents = events.filter((e) => e.channel === 'run:event').map((e) => (e.payload as EventPayloads['run:event']).event);
    expect(runEvents.filter((e) => e.type === 'phase').map((e) => (e.type === 'phase' ? e.phase : ''))).toEqual(['search', 'done']);
    expect(runEvents.filter((e) => e.type === 'epoch')).toHaveLength(1);
    const steps = runEvents.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(200);
    expect(steps.at(-1)).toMatchObject({ step: 199 });
    expect(statuses(runId)).toEqual(['queued', 'running', 'done']);
    const list = await invoke('runs:list', {});
    expect(list.map((r) => r.runId)).toContain(runId);
    const details = await invoke('runs:get', { runId });
    expect(details.summary).toMatchObject({ runId, status: 'done', metric: { name: 'accuracy', value: 0.91 } });
    expect(details.result?.genotype).toContain('Genotype(');
    expect(runsDir).toBeTruthy();
  });

  it('queues a second search until the first ends, and cancels queued and running runs', async () => {
    const runSearch = fakeRunSearch(1000, 2);
    const { host, invoke, statuses } = connect(runSearch);
    const first = await invoke('search:start', { config: {} });
    const second = await invoke('search:start', { config: {} });
    const third = await invoke('search:start', { config: {} });
    expect(runSearch.started).toEqual([first.runId]);
    expect((await invoke('runs:list', { status: 'queued' })).map((r) => r.runId).sort()).toEqual([second.runId, third.runId].sort());
    await invoke('search:cancel', { runId: third.runId });
    await invoke('search:pause', { runId: first.runId });
    expect((await invoke('runs:get', { runId: first.runId })).summary.status).toBe('paused');
    await invoke('search:cancel', { runId: first.runId });
    await host.service.whenIdle().catch(() => undefined);
    // The second starts once the first has stopped; cancel it too so the test ends quickly.
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (statuses(second.runId).at(-1) === 'running') await invoke('search:cancel', { runId: second.runId });
    await host.service.whenIdle();
    expect(statuses(first.runId)).toEqual(['queued', 'running', 'paused', 'cancelled']);
    expect(statuses(third.runId)).toEqual(['queued', 'cancelled']);
    expect(statuses(second.runId).slice(0, 2)).toEqual(['queued', 'running']);
    expect(runSearch.started).toEqual([first.runId, second.runId]);
    await expect(invoke('search:cancel', { runId: first.runId })).rejects.toThrow(/not active/);
  });

  it('reads run folders: result.json, events.jsonl (a cut last line skipped), unfinished runs', async () => {
    const runsDir = tempRunsDir();
    writeRunFolder(runsDir, 'old-run', sampleResult('old-run', { task: 'har', createdAt: '2026-01-01T00:00:00.000Z' }), '{"type":"phase","phase":"search"}\n{"type":"phase","pha');
    writeRunFolder(runsDir, 'broken-run');
    const { invoke } = connect(fakeRunSearch(), runsDir);
    const list = await invoke('runs:list', {});
    expect(list.map((r) => [r.runId, r.status])).toEqual(
      expect.arrayContaining([
        ['old-run', 'done'],
        ['broken-run', 'failed'],
      ]),
    );
    expect((await invoke('runs:list', { task: 'har' })).map((r) => r.runId)).toEqual(['old-run']);
    const details = await invoke('runs:get', { runId: 'old-run' });
    expect(details.events).toEqual([{ type: 'phase', phase: 'search' }]);
    await expect(invoke('runs:get', { runId: 'no-such-run' })).rejects.toThrow(/No run no-such-run/);
  });

  it('caches the hardware profile unless asked to refresh', async () => {
    const { invoke } = connect();
    expect(await invoke('hardware:profile', {})).toEqual({ cores: 2 });
  });
});

describe('export:saveTo', () => {
  it('copies a run’s exports into the chosen folder and never overwrites a file there', async () => {
    const { mkdirSync, writeFileSync, readFileSync, mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const runsDir = tempRunsDir();
    const exportsDir = path.join(writeRunFolder(runsDir, 'run-x', sampleResult('run-x')), 'exports');
    mkdirSync(path.join(exportsDir, 'tfjs'), { recursive: true });
    writeFileSync(path.join(exportsDir, 'model.onnx'), 'onnx-bytes');
    writeFileSync(path.join(exportsDir, 'tfjs', 'model.json'), '{}');
    const { invoke } = connect(fakeRunSearch(), runsDir);
    const folder = mkdtempSync(path.join(os.tmpdir(), 'nas-save-'));
    const saved = await invoke('export:saveTo', { runId: 'run-x', folder });
    expect(saved.files).toEqual([path.join(folder, 'model.onnx'), path.join(folder, 'tfjs', 'model.json')]);
    expect(readFileSync(path.join(folder, 'model.onnx'), 'utf8')).toBe('onnx-bytes');
    writeFileSync(path.join(folder, 'model.onnx'), 'mine');
    await expect(invoke('export:saveTo', { runId: 'run-x', folder })).rejects.toThrow(/model\.onnx already exists/);
    expect(readFileSync(path.join(folder, 'model.onnx'), 'utf8')).toBe('mine');
    writeRunFolder(runsDir, 'run-y', sampleResult('run-y'));
    await expect(invoke('export:saveTo', { runId: 'run-y', folder })).rejects.toThrow(/no exports yet/);
  });
});
