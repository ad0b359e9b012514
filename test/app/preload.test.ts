import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { NasStudioApi } from '../../src-main/contract/channels.js';
import { restoreErrorName } from '../../src-renderer/lib/client/index.js';

const exposed = new Map<string, unknown>();
const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
const replies = new Map<string, unknown>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (channel: string) => replies.get(channel),
    on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set.add(listener));
    },
    removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => listeners.get(channel)?.delete(listener),
  },
}));

describe('preload', () => {
  let api: NasStudioApi;
  beforeAll(async () => {
    await import('../../src-main/preload/index.js');
    api = exposed.get('nasStudio') as NasStudioApi;
  });

  it('exposes exactly one object, nasStudio, with invoke and on', () => {
    expect([...exposed.keys()]).toEqual(['nasStudio']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('returns results and rethrows { error } as an Error carrying the name', async () => {
    replies.set('app:info', { result: { version: '1', mode: 'electron', platform: 'linux' } });
    expect(await api.invoke('app:info', {})).toEqual({ version: '1', mode: 'electron', platform: 'linux' });
    replies.set('runs:get', { error: { name: 'ValidationError', message: 'Bad request' } });
    const thrown = await api.invoke('runs:get', { runId: 'x' }).catch((error: Error) => error);
    expect(thrown).toMatchObject({ name: 'ValidationError' });
    // What contextBridge hands the page keeps only the message; the client restores the name from it.
    const copied = new Error((thrown as Error).message);
    expect(restoreErrorName(copied)).toMatchObject({ name: 'ValidationError', message: 'Bad request' });
  });

  it('subscribes to contract events only, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = api.on('run:status', (payload) => got.push(payload));
    listeners.get('run:status')?.forEach((listener) => listener({ sender: 'ipc' }, { runId: 'r', status: 'running' }));
    off();
    listeners.get('run:status')?.forEach((listener) => listener({}, { runId: 'r', status: 'done' }));
    expect(got).toEqual([{ runId: 'r', status: 'running' }]);
    expect(() => api.on('fs:secrets' as never, () => undefined)).toThrow(/Unknown event channel/);
  });
});
