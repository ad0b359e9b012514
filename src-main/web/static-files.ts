import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves a URL path inside `root`, or undefined when it would leave it (../, encoded or not). */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? undefined : file;
}

async function fileAt(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile()) return file;
  if (info?.isDirectory()) return fileAt(path.join(file, 'index.html'));
  return undefined;
}

/**
 * Sends a file of the built renderer. A path without an extension falls back to index.html (the
 * app's own routes); anything else missing is a 404.
 */
export async function sendStatic(root: string, urlPath: string, response: ServerResponse, headOnly: boolean): Promise<void> {
  const index = path.join(root, 'index.html');
  if (!(await fileAt(index))) {
    response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`The renderer is not built: run "npm run build" (looked for ${index}).\n`);
    return;
  }
  const resolved = resolveInside(root, urlPath);
  let file = resolved ? await fileAt(resolved) : undefined;
  if (!file && resolved && path.extname(resolved) === '') file = index;
  if (!file && urlPath === '/favicon.ico') {
    // Browsers ask for it unprompted; a missing icon is not an error worth a console line.
    response.writeHead(204);
    response.end();
    return;
  }
  if (!file) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('Not found\n');
    return;
  }
  response.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Cache-Control': file === index ? 'no-store' : 'no-cache' });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(file).on('error', () => response.destroy()).pipe(response);
}
