import { describe, expect, it } from 'vitest';
import { InvokeRequestSchemas, type InvokeChannel, type InvokeReply } from '../../src-main/contract/channels.js';
import { registerIpcRouter, type IpcInvokeEvent, type IpcMainLike } from '../../src-main/app/ipc-router.js';
import { forwardingHandlers } from '../../src-main/engine-host/dispatch.js';

function fakeIpcMain() {
  const registered = new Map<string, (event: IpcInvokeEvent, request: unknown) => Promise<InvokeReply<InvokeChannel>>>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, listener);
    },
    removeHandler: (channel) => registered.delete(channel),
  };
  return { ipc, registered };
}

const ownPage: IpcInvokeEvent = { sender: { id: 1 }, senderFrame: { url: 'app://nas-studio/index.html', parent: null } };
const foreign: IpcInvokeEvent = { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } };

describe('registerIpcRouter', () => {
  const seen: string[] = [];
  const handlers = forwardingHandlers(async (channel) => {
    seen.push(channel);
    if (channel === 'runs:list') throw new TypeError('boom');
    return { version: '1', mode: 'electron', platform: 'linux' } as never;
  });

  it('registers exactly one handler per invoke channel and removes them all', () => {
    const { ipc, registered } = fakeIpcMain();
    const unregister = registerIpcRouter(ipc, handlers, () => true);
    expect([...registered.keys()].sort()).toEqual(Object.keys(InvokeRequestSchemas).sort());
    unregister();
    expect(registered.size).toBe(0);
  });

  it('refuses a request from a foreign frame before validating or dispatching it', async () => {
    const { ipc, registered } = fakeIpcMain();
    registerIpcRouter(ipc, handlers, (event) => event.senderFrame?.url.startsWith('app://nas-studio/') ?? false);
    const reply = await registered.get('app:info')?.(foreign, {});
    expect(reply).toMatchObject({ error: { name: 'ForbiddenSender' } });
    expect(seen).toEqual([]);
    expect(await registered.get('app:info')?.(ownPage, {})).toEqual({ result: { version: '1', mode: 'electron', platform: 'linux' } });
  });

  it('validates requests and returns handler throws as { error }', async () => {
    const { ipc, registered } = fakeIpcMain();
    registerIpcRouter(ipc, handlers, () => true);
    expect(await registered.get('runs:get')?.(ownPage, { runId: '../../x' })).toMatchObject({ error: { name: 'ValidationError' } });
    expect(await registered.get('app:info')?.(ownPage, { sneaky: true })).toMatchObject({ error: { name: 'ValidationError' } });
    expect(await registered.get('runs:list')?.(ownPage, {})).toEqual({ error: { name: 'TypeError', message: 'boom' } });
  });
});
