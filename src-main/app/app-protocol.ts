import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentSecurityPolicy } from '../web/csp.js';
import { contentTypeOf, resolveInside } from '../web/static-files.js';

/**
 * The app's pages come from app://nas-studio/…, not file://: a real origin to check senders against,
 * response headers to carry the Content-Security-Policy, and no access to the rest of the disk.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'nas-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveAppProtocol(rendererDir: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const resolved = url.host === APP_HOST ? resolveInside(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname) : undefined;
    const file = resolved && path.extname(resolved) === '' ? path.join(rendererDir, 'index.html') : resolved;
    const body = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!file || !body) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(new Uint8Array(body), {
      headers: { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}
