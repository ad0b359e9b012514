import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventPayloads } from '../../src-main/contract/channels.js';
import { startServer, type RunningServer } from '../../src-main/serve/server.js';
import { createWebSocketClient, serveSocketUrl, type WebSocketClient } from '../../src-renderer/lib/client/index.js';
import { fakeRunSearch, tempRunsDir } from '../engine-host/helpers.js';

const staticDir = mkdtempSync(path.join(os.tmpdir(), 'nas-static-'));
writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
const serve = (port = 0, token?: string) => startServer({ port, token, runsDir: tempRunsDir(), staticDir, engine: 'in-process', engineEntryPoints: { runSearch: fakeRunSearch(10, 1) }, log: () => undefined });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};

describe('the renderer client over the serve mode', () => {
  const servers: RunningServer[] = [];
  let client: WebSocketClient | undefined;
  afterEach(async () => {
    client?.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('derives the socket URL from the page URL', () => {
    expect(serveSocketUrl({ protocol: 'http:', host: '127.0.0.1:5317', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:5317/ws?token=a%2Bb');
    expect(serveSocketUrl({ protocol: 'http:', host: '127.0.0.1:5317', search: '' })).toBe('ws://127.0.0.1:5317/ws');
  });

  it('invokes, rethrows { error } as an Error with its name, and delivers events', async () => {
    const server = await serve();
    servers.push(server);
    client = createWebSocketClient({ url: serveSocketUrl({ protocol: 'http:', host: `127.0.0.1:${server.port}`, search: `?token=${server.token}` }), WebSocketImpl: WebSocket as never });
    const info = await client.invoke('app:info', {});
    expect(info.mode).toBe('serve');
    await expect(client.invoke('runs:get', { runId: '../x' })).rejects.toMatchObject({ name: 'ValidationError' });
    const statuses: EventPayloads['run:status'][] = [];
    const off = client.on('run:status', (payload) => statuses.push(payload));
    const { runId } = await client.invoke('search:start', { config: {} });
    await until(() => statuses.some((s) => s.runId === runId && s.status === 'done'));
    off();
  });

  it('reconnects after the server comes back and reports it as engine:status', async () => {
    const first = await serve();
    client = createWebSocketClient({ url: `ws://127.0.0.1:${first.port}/ws?token=${first.token}`, WebSocketImpl: WebSocket as never, reconnectDelaysMs: [50] });
    const states: string[] = [];
    client.on('engine:status', (payload) => states.push(payload.state));
    await client.invoke('app:info', {});
    await first.close();
    await until(() => states.includes('restarting'));
    const pending = client.invoke('app:info', {});
    const second = await serve(first.port, first.token);
    servers.push(second);
    expect((await pending).mode).toBe('serve');
    expect(states).toEqual(['restarting', 'ready']);
  });
});
