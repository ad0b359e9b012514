import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { InvokeHandlers } from '../contract/channels.js';
import { dispatchInvoke, forwardingHandlers, unwrapReply } from '../engine-host/dispatch.js';
import type { EngineEntryPoints } from '../engine-host/engine.service.js';
import { confinePaths } from '../engine-host/path-policy.js';
import { isRequestMessage, type HostMessage } from '../engine-host/protocol.js';
import { contentSecurityPolicy } from '../web/csp.js';
import { connectEngine } from './engine-connection.js';
import { EXPORTS_PATH, sendExportedFile } from './export-downloads.js';
import { explainListenError } from './listen-error.js';
import { ensureRunsFolder } from './runs-folder.js';
import { sendStatic } from '../web/static-files.js';
import { cookieValue, newToken, sameToken } from './token.js';

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the server is for the person at this machine. */
  host?: '127.0.0.1';
  /** Default: a fresh random token. */
  token?: string;
  runsDir: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** When given, paths in requests must lie in one of these folders; otherwise any path is accepted. */
  allowedRoots?: string[];
  /** Where the engine runs (default 'worker'). */
  engine?: 'worker' | 'in-process';
  /** In-process only: entry points replacing the engine's own (tests). */
  engineEntryPoints?: Partial<EngineEntryPoints>;
  log?: (message: string) => void;
}

export interface RunningServer {
  /** Open this in a browser: it carries the token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const WS_PATH = '/ws';
const MAX_MESSAGE_BYTES = 1024 * 1024;

function packageVersion(): string {
  try {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The serve mode: the built renderer over HTTP and the contract over a WebSocket, on 127.0.0.1 only.
 * Every HTTP request and WebSocket upgrade needs the token (in the URL, or the HttpOnly SameSite
 * cookie set when a page was loaded with it); the Host header must name this server (DNS rebinding)
 * and a WebSocket's Origin, when sent, must be this server. No CORS headers are ever sent.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`serve: refusing to bind ${String(host)}; the serve mode binds 127.0.0.1 only`);
  const token = options.token ?? newToken();
  if (token.length < 16) throw new Error('serve: the token must have at least 16 characters');
  const runsDir = path.resolve(options.runsDir);
  const staticDir = path.resolve(options.staticDir);
  const log = options.log ?? ((message: string) => console.error(message));
  await ensureRunsFolder(runsDir);

  const engine = connectEngine({ runsDir, version: packageVersion() }, options.engine ?? 'worker', options.engineEntryPoints);
  engine.client.onLog((message) => log(`engine ${message.level}: ${message.message}`));
  const forwarded = forwardingHandlers(async (channel, request) => unwrapReply(await engine.client.invoke(channel, request)));
  const allowedRoots = options.allowedRoots?.map((root) => path.resolve(root));
  const handlers: InvokeHandlers = allowedRoots ? confinePaths(forwarded, () => allowedRoots) : forwarded;

  let port = 0;
  const cookieName = (): string => `nas_studio_token_${port}`;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hasToken = (request: IncomingMessage): boolean => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    return sameToken(url.searchParams.get('token'), token) || sameToken(cookieValue(request, cookieName()), token);
  };
  const rightHost = (request: IncomingMessage): boolean => allowedHosts().includes(request.headers.host ?? '');

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch((error: Error) => {
      log(`serve: ${request.method} ${request.url}: ${error.message}`);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Internal error\n');
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('Content-Security-Policy', contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]));
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!rightHost(request) || !hasToken(request)) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Forbidden: open the URL printed by "nas-studio serve", with its token.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // Set once, by the page load that carried the token: the page's assets and socket then need no token in their URLs.
    if (url.searchParams.has('token')) response.setHeader('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (url.pathname.startsWith(EXPORTS_PATH)) await sendExportedFile(runsDir, url.pathname, response, request.method === 'HEAD');
    else await sendStatic(staticDir, url.pathname, response, request.method === 'HEAD');
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const rightOrigin = origin === undefined || allowedHosts().some((allowed) => origin === `http://${allowed}`);
    if (url.pathname !== WS_PATH || !rightHost(request) || !rightOrigin || !hasToken(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  const send = (ws: WebSocket, message: HostMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      let message: unknown;
      try {
        message = isBinary ? undefined : JSON.parse(String(data));
      } catch {
        message = undefined;
      }
      if (!isRequestMessage(message)) {
        send(ws, { type: 'log', level: 'warn', message: 'serve: ignored a message that is not { seq, channel, request } JSON' });
        return;
      }
      const { seq, channel, request } = message;
      void dispatchInvoke(handlers, channel, request).then((reply) => send(ws, { seq, type: 'response', reply }));
    });
  });
  const stopEvents = engine.client.onEvent((channel, payload) => {
    for (const ws of sockets.clients) send(ws, { type: 'event', channel, payload });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Nothing keeps running after a failed start: the engine thread goes too.
    stopEvents();
    sockets.close();
    await engine.close().catch(() => undefined);
    throw explainListenError(error, options.port, host);
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        stopEvents();
        for (const ws of sockets.clients) ws.terminate();
        await new Promise<void>((resolve) => sockets.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await engine.close();
      })();
      return closing;
    },
  };
}
