import { app, shell, type Session } from 'electron';
import { contentSecurityPolicy } from '../web/csp.js';
import { originOf } from './sender-check.js';

/** Opens http(s) links in the user's browser; anything else is dropped. */
export function openExternally(url: string): void {
  if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
}

/**
 * Every web contents: no new windows (http(s) links go to the browser), no navigation away from
 * the app's own origin, no <webview>. Every permission request (camera, notifications, …) is denied.
 */
export function hardenWebContents(ownOrigins: readonly string[]): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternally(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (ownOrigins.includes(originOf(url) ?? '')) return;
      event.preventDefault();
      openExternally(url);
    });
    contents.on('will-redirect', (event, url) => {
      if (!ownOrigins.includes(originOf(url) ?? '')) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** The dev server's pages (electron-vite dev) get the same CSP, plus its HMR socket. */
export function installSessionSecurity(session: Session, devOrigin: string | undefined): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (!devOrigin) return;
  const wsOrigin = devOrigin.replace(/^http/, 'ws');
  // Vite's dev client injects an inline module script for HMR; only in development.
  const csp = contentSecurityPolicy([wsOrigin]).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
  session.webRequest.onHeadersReceived((details, callback) => {
    if (originOf(details.url) !== devOrigin) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}
