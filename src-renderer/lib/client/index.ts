import type { NasStudioApi } from '../../../src-main/contract/channels.js';
import { createWebSocketClient } from './ws-client.js';

export type { NasStudioApi } from '../../../src-main/contract/channels.js';
export { createWebSocketClient, type WebSocketClient, type WebSocketClientOptions } from './ws-client.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser (serve mode). */
    nasStudio?: NasStudioApi;
  }
}

let shared: NasStudioApi | undefined;

/** The serve mode's WebSocket URL for this page: same host, token from `?token=` (else the cookie). */
export function serveSocketUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/**
 * contextBridge carries only an Error's message, so the preload sends the name inside it as
 * "[Name] message"; this puts it back, so callers can test error.name in both modes.
 */
export function restoreErrorName(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const match = /^\[(\w+)\] ([\s\S]*)$/.exec(error.message);
  if (!match) return error;
  const restored = new Error(match[2]);
  restored.name = match[1] ?? 'Error';
  return restored;
}

function overBridge(bridge: NasStudioApi): NasStudioApi {
  return {
    invoke: (channel, request) => bridge.invoke(channel, request).catch((error: unknown) => Promise.reject(restoreErrorName(error))),
    on: (channel, listener) => bridge.on(channel, listener),
  };
}

/**
 * The one way the renderer reaches the engine: the preload's bridge in Electron, else the serve
 * mode's WebSocket. Every call returns the same client.
 */
export function createClient(): NasStudioApi {
  shared ??= window.nasStudio ? overBridge(window.nasStudio) : createWebSocketClient({ url: serveSocketUrl(window.location) });
  return shared;
}
