import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { exportsDirOf } from '../engine-host/exports.js';
import { contentTypeOf, resolveInside } from '../web/static-files.js';

/** URL of an exported file in the serve mode: the browser downloads what the engine wrote on this machine. */
export const EXPORTS_PATH = '/exports/';

/**
 * Sends `/exports/<runId>/<file>` from `<runsDir>/<runId>/exports/` as a download (the caller has checked
 * the token and the host). Only files inside that folder; anything else is a 404.
 */
export async function sendExportedFile(runsDir: string, urlPath: string, response: ServerResponse, headOnly: boolean): Promise<void> {
  const rest = urlPath.slice(EXPORTS_PATH.length);
  const slash = rest.indexOf('/');
  let dir: string | undefined;
  try {
    dir = slash > 0 ? exportsDirOf(runsDir, decodeURIComponent(rest.slice(0, slash))) : undefined;
  } catch {
    dir = undefined;
  }
  const file = dir ? resolveInside(dir, rest.slice(slash + 1)) : undefined;
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('No such exported file\n');
    return;
  }
  const name = path.basename(file).replace(/[^\w.-]/g, '_');
  response.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': info.size, 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(file).on('error', () => response.destroy()).pipe(response);
}
