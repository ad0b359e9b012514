import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appHandlers } from '../../src-main/app/app-handlers.js';
import type { InvokeChannel } from '../../src-main/contract/channels.js';
import { dispatchInvoke } from '../../src-main/engine-host/dispatch.js';

function setup() {
  const sent: { channel: InvokeChannel; request: unknown }[] = [];
  const picked: string[] = [];
  const handlers = appHandlers({
    version: '0.1.0',
    invokeEngine: async (channel, request) => (sent.push({ channel, request }), { result: { ok: true } as never }),
    pickPath: async () => {
      picked.push(path.resolve('/home/user/data'));
      return { path: '/home/user/data' };
    },
    pickedPaths: () => picked,
  });
  return { handlers, sent };
}

describe('appHandlers', () => {
  it('answers app:info itself and sends engine channels to the engine host', async () => {
    const { handlers, sent } = setup();
    expect(await dispatchInvoke(handlers, 'app:info', {})).toEqual({ result: { version: '0.1.0', mode: 'electron', platform: process.platform } });
    await dispatchInvoke(handlers, 'runs:list', {});
    expect(sent.map((s) => s.channel)).toEqual(['runs:list']);
  });

  it('confines renderer paths to what the user picked', async () => {
    const { handlers, sent } = setup();
    const source = { kind: 'path', path: '/home/user/data/images' };
    expect(await dispatchInvoke(handlers, 'data:inspect', { task: 'classification', source })).toMatchObject({ error: { name: 'PathNotAllowedError' } });
    expect(await dispatchInvoke(handlers, 'search:start', { config: { data: source } })).toMatchObject({ error: { name: 'PathNotAllowedError' } });
    expect(await dispatchInvoke(handlers, 'export:saveTo', { runId: 'r1', folder: '/etc' })).toMatchObject({ error: { name: 'PathNotAllowedError' } });
    expect(sent).toEqual([]);
    await dispatchInvoke(handlers, 'dialog:pickPath', { kind: 'folder' });
    expect(await dispatchInvoke(handlers, 'data:inspect', { task: 'classification', source })).toEqual({ result: { ok: true } });
    expect(await dispatchInvoke(handlers, 'search:start', { config: { data: { kind: 'path', path: '/home/user/data/../secrets' } } })).toMatchObject({ error: { name: 'PathNotAllowedError' } });
    expect(await dispatchInvoke(handlers, 'search:start', { config: { data: { kind: 'path', path: '/home/user/database' } } })).toMatchObject({ error: { name: 'PathNotAllowedError' } });
    expect(await dispatchInvoke(handlers, 'search:start', { config: {} })).toEqual({ result: { ok: true } });
  });
});
