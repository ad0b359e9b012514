import { describe, expect, it } from 'vitest';
import { InvokeRequestSchemas, type InvokeChannel, type InvokeHandlers } from '../../src-main/contract/channels.js';
import { dispatchInvoke, forwardingHandlers, unwrapReply } from '../../src-main/engine-host/dispatch.js';

const calls: string[] = [];
const handlers = forwardingHandlers(async (channel) => {
  calls.push(channel);
  if (channel === 'runs:list') throw Object.assign(new Error('disk on fire'), { name: 'DiskError' });
  return { ok: true } as never;
});

/** A request each channel must refuse: unknown keys everywhere, plus a bad field where there is one. */
const badRequests: Record<InvokeChannel, unknown[]> = {
  'app:info': [{ extra: 1 }, 'nope', null],
  'hardware:profile': [{ refresh: 'yes' }, { refresh: true, more: 1 }],
  'hardware:latencyTable': [{ space: 'resnet' }, { space: 'darts', rebuild: 1 }],
  'data:inspect': [{ task: 'classification', source: { kind: 'builtin', name: 'cifar' } }, { task: 'segmentation', source: { kind: 'builtin', name: 'mnist' } }],
  'dialog:pickPath': [{ kind: 'device' }, { kind: 'folder', title: 'x'.repeat(201) }],
  'search:estimate': [{ config: { strategy: 'evolution' } }, { config: {}, x: 1 }],
  'search:start': [{ config: { epochs: -1 } }, { config: { unknownKey: true } }, {}],
  'search:pause': [{ runId: '../etc' }, { runId: '' }],
  'search:resume': [{ runId: 'a/b' }],
  'search:cancel': [{ runId: '..' + '/x' }, { runId: 'ok', extra: true }],
  'runs:list': [{ task: 'other' }, { status: 'x'.repeat(41) }],
  'runs:get': [{ runId: '../../secret' }, { runId: 'a'.repeat(81) }, { runId: 'a b' }],
  'export:run': [{ runId: 'r1', formats: [] }, { runId: 'r1', formats: ['pickle'] }],
  'export:saveTo': [{ runId: 'r1', folder: '' }, { runId: '../r1', folder: '/tmp' }],
};

describe('dispatchInvoke', () => {
  it('refuses a bad request on every channel before it reaches a handler', async () => {
    for (const channel of Object.keys(InvokeRequestSchemas) as InvokeChannel[]) {
      for (const request of badRequests[channel]) {
        const reply = await dispatchInvoke(handlers, channel, request);
        expect(reply, `${channel} ${JSON.stringify(request)}`).toMatchObject({ error: { name: 'ValidationError' } });
        expect('error' in reply && reply.error.message).toContain(channel);
      }
    }
    expect(calls).toEqual([]);
  });

  it('passes a good request with defaults applied', async () => {
    const seen: unknown[] = [];
    const echo = { ...handlers, 'search:start': async (request) => (seen.push(request), { runId: 'r' }) } satisfies InvokeHandlers;
    const reply = await dispatchInvoke(echo, 'search:start', { config: { epochs: 2 } });
    expect(reply).toEqual({ result: { runId: 'r' } });
    expect(seen[0]).toMatchObject({ config: { epochs: 2, task: 'classification', strategy: 'rank-race', data: { kind: 'builtin', name: 'mnist' } } });
  });

  it('refuses an unknown channel, including inherited property names', async () => {
    for (const channel of ['fs:read', 'toString', '__proto__', 42]) {
      expect(await dispatchInvoke(handlers, channel, {})).toMatchObject({ error: { name: 'UnknownChannel' } });
    }
  });

  it('turns a handler throw into { error } with its name and message', async () => {
    const reply = await dispatchInvoke(handlers, 'runs:list', {});
    expect(reply).toEqual({ error: { name: 'DiskError', message: 'disk on fire' } });
    expect(() => unwrapReply(reply)).toThrowError(expect.objectContaining({ name: 'DiskError', message: 'disk on fire' }) as Error);
  });
});
