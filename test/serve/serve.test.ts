import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostMessage } from '../../src-main/engine-host/protocol.js';
import { startServer, type RunningServer } from '../../src-main/serve/server.js';
import { fakeRunSearch, tempRunsDir } from '../engine-host/helpers.js';

function get(port: number, pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}

/** Resolves with the socket once open, or with the HTTP status the server refused the upgrade with. */
function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('serve mode', () => {
  let server: RunningServer;
  let staticDir: string;

  beforeAll(async () => {
    staticDir = mkdtempSync(path.join(os.tmpdir(), 'nas-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>NAS Studio</title>');
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(path.dirname(staticDir), 'nas-secret.txt'), 'secret');
    server = await startServer({ port: 0, runsDir: tempRunsDir(), staticDir, engine: 'in-process', engineEntryPoints: { runSearch: fakeRunSearch(20, 1) }, log: () => undefined });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('prints a 127.0.0.1 URL with a long random token, and refuses to bind anything else', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    await expect(startServer({ port: 0, host: '0.0.0.0' as '127.0.0.1', runsDir: tempRunsDir(), staticDir })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('listens on the loopback interface only', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;
    if (!external) return; // no other interface on this machine: nothing else to reach
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: external, port: server.port });
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('answers 403 to HTTP requests without the right token or with a foreign Host', async () => {
    expect((await get(server.port, '/')).status).toBe(403);
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);
    expect((await get(server.port, `/?token=${server.token}x`)).status).toBe(403);
    expect((await get(server.port, '/assets/app.js')).status).toBe(403);
    expect((await get(server.port, `/?token=${server.token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('serves the renderer with the token, sets a strict CSP and a SameSite cookie, and no CORS', async () => {
    const page = await get(server.port, `/?token=${server.token}`, { Origin: 'http://evil.example' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>NAS Studio</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    const cookie = String(page.headers['set-cookie']?.[0]).split(';')[0] ?? '';
    expect(page.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await get(server.port, '/assets/app.js', { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const escape = await get(server.port, `/..%2fnas-secret.txt?token=${server.token}`);
    expect(escape.body).not.toContain('secret');
    expect((await get(server.port, `/../nas-secret.txt?token=${server.token}`)).body).not.toContain('secret');
  });

  it('refuses WebSocket upgrades without the right token, from a foreign origin or on another path', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    expect(await openSocket(`${base}/ws`)).toBe(403);
    expect(await openSocket(`${base}/ws?token=nope`)).toBe(403);
    expect(await openSocket(`${base}/ws?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await openSocket(`${base}/other?token=${server.token}`)).toBe(403);
  });

  it('round-trips app:info and refuses a bad request over the WebSocket; pushes run events', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` });
    if (typeof ws === 'number') throw new Error(`upgrade refused: ${ws}`);
    const messages: HostMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as HostMessage));
    const waitFor = async (predicate: (message: HostMessage) => boolean): Promise<HostMessage> => {
      for (let i = 0; i < 200; i++) {
        const found = messages.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('no such message');
    };
    ws.send(JSON.stringify({ seq: 1, channel: 'app:info', request: {} }));
    expect(await waitFor((m) => m.type === 'response' && m.seq === 1)).toEqual({ seq: 1, type: 'response', reply: { result: { version: expect.any(String), mode: 'serve', platform: process.platform } } });
    ws.send(JSON.stringify({ seq: 2, channel: 'runs:get', request: { runId: '../../etc/passwd' } }));
    expect(await waitFor((m) => m.type === 'response' && m.seq === 2)).toMatchObject({ reply: { error: { name: 'ValidationError' } } });
    ws.send(JSON.stringify({ seq: 3, channel: 'search:start', request: { config: {} } }));
    const started = await waitFor((m) => m.type === 'response' && m.seq === 3);
    const runId = (started as { reply: { result: { runId: string } } }).reply.result.runId;
    await waitFor((m) => m.type === 'event' && m.channel === 'run:status' && (m.payload as { status: string }).status === 'done');
    expect(messages.some((m) => m.type === 'event' && m.channel === 'run:event' && (m.payload as { runId: string }).runId === runId)).toBe(true);
    ws.close();
  });
});
