import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainListenError } from '../../src-main/serve/listen-error.js';
import { runCliAsync } from './cli-harness.js';

/** `nas-studio serve` on a port someone else holds: a short message naming the port and the flag, a non-zero exit. */
describe('serve on a busy port', () => {
  let blocker: net.Server;
  let port: number;

  beforeAll(async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('exits non-zero in at most three lines, naming the port and --port, with no stack trace', async () => {
    const runsDir = mkdtempSync(path.join(os.tmpdir(), 'nas-busy-'));
    const r = await runCliAsync(['serve', '--port', String(port), '--runs-dir', runsDir], {}, 60_000);
    const output = `${r.stdout}${r.stderr}`.trim();
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(output.split('\n').length).toBeLessThanOrEqual(3);
    expect(output).toContain(String(port));
    expect(output).toContain('--port');
    expect(output).not.toMatch(/\n\s+at |EADDRINUSE|node:net/);
    expect(r.stdout).not.toContain('served at');
  });

  it('a runs folder that cannot be made is a one-line start-up failure too', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'nas-busy-')), 'a-file');
    writeFileSync(file, 'x');
    const r = await runCliAsync(['serve', '--port', '0', '--runs-dir', path.join(file, 'runs')], {}, 60_000);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot be the runs folder \(a file is in the way\); choose another with --runs-dir/);
    expect(r.stdout).not.toContain('served at');
  });

  it('names the cause of other listen failures and leaves other errors alone', () => {
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(explainListenError(denied, 80, '127.0.0.1').message).toMatch(/not allowed to listen on 127\.0\.0\.1:80.*--port/);
    const other = new Error('something else');
    expect(explainListenError(other, 80, '127.0.0.1')).toBe(other);
  });
});
