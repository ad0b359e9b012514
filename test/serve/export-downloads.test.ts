import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src-main/serve/server.js';
import { fakeRunSearch, tempRunsDir } from '../engine-host/helpers.js';

function get(port: number, pathAndQuery: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      })
      .on('error', reject);
  });
}

/** The browser mode offers the exported files as downloads, with the token, and nothing outside a run's exports. */
describe('serve: downloads of exported files', () => {
  let server: RunningServer;
  let runsDir: string;

  beforeAll(async () => {
    runsDir = tempRunsDir();
    mkdirSync(path.join(runsDir, 'run-x', 'exports', 'tfjs'), { recursive: true });
    writeFileSync(path.join(runsDir, 'run-x', 'exports', 'model.onnx'), 'onnx-bytes');
    writeFileSync(path.join(runsDir, 'run-x', 'exports', 'tfjs', 'model.json'), '{"a":1}');
    writeFileSync(path.join(runsDir, 'run-x', 'result.json'), '{"secret":true}');
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'nas-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
    server = await startServer({ port: 0, runsDir, staticDir, engine: 'in-process', engineEntryPoints: { runSearch: fakeRunSearch(1) }, log: () => undefined });
  });
  afterAll(() => server?.close());

  it('sends an exported file as an attachment', async () => {
    const r = await get(server.port, `/exports/run-x/tfjs/model.json?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"a":1}');
    expect(r.headers['content-disposition']).toBe('attachment; filename="model.json"');
  });

  it('needs the token, and serves nothing outside the run\'s exports folder', async () => {
    expect((await get(server.port, '/exports/run-x/model.onnx')).status).toBe(403);
    const t = `?token=${server.token}`;
    expect((await get(server.port, `/exports/run-x/model.onnx${t}`)).status).toBe(200);
    expect((await get(server.port, `/exports/run-x/../run-x/result.json${t}`)).status).toBe(404);
    expect((await get(server.port, `/exports/run-x/%2e%2e/result.json${t}`)).status).toBe(404);
    expect((await get(server.port, `/exports/..%2frun-x/result.json${t}`)).status).toBe(404);
    expect((await get(server.port, `/exports/run-x/tfjs${t}`)).status).toBe(404);
  });
});
