import {
  InvokeRequestSchemas,
  type InvokeChannel,
  type InvokeHandlers,
  type InvokeReply,
  type InvokeResponses,
} from '../contract/channels.js';
import { z } from 'zod';

/**
 * Validate-and-dispatch, shared by every host of the contract (the Electron IPC router, the serve
 * mode's WebSocket, the engine host). Nothing reaches a handler unless its channel is known and its
 * request passes that channel's zod schema; whatever a handler throws comes back as data.
 */
export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(InvokeRequestSchemas, channel);
}

export function errorReply(name: string, message: string): { error: { name: string; message: string } } {
  return { error: { name, message } };
}

export function toErrorReply(error: unknown): { error: { name: string; message: string } } {
  if (error instanceof Error) return errorReply(error.name || 'Error', error.message);
  return errorReply('Error', String(error));
}

/** Parses a request for a channel; throws a ValidationError naming the channel and the problem. */
export function parseInvokeRequest<C extends InvokeChannel>(channel: C, request: unknown): z.output<(typeof InvokeRequestSchemas)[C]> {
  const parsed = InvokeRequestSchemas[channel].safeParse(request);
  if (!parsed.success) {
    const error = new Error(`Bad request for '${channel}': ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
    error.name = 'ValidationError';
    throw error;
  }
  return parsed.data as z.output<(typeof InvokeRequestSchemas)[C]>;
}

export async function dispatchInvoke(handlers: InvokeHandlers, channel: unknown, request: unknown): Promise<InvokeReply<InvokeChannel>> {
  if (!isInvokeChannel(channel)) return errorReply('UnknownChannel', `Unknown channel: ${String(channel).slice(0, 80)}`);
  try {
    const parsed = parseInvokeRequest(channel, request);
    const handler = handlers[channel] as (request: unknown) => Promise<InvokeResponses[InvokeChannel]>;
    return { result: await handler(parsed) };
  } catch (error) {
    return toErrorReply(error);
  }
}

/** The asking side's half: a reply becomes a result or a thrown Error with the same name and message. */
export function unwrapReply<C extends InvokeChannel>(reply: InvokeReply<C>): InvokeResponses[C] {
  if ('error' in reply) {
    const error = new Error(reply.error.message);
    error.name = reply.error.name;
    throw error;
  }
  return reply.result;
}

/** Builds a handler object that sends every channel to `invoke` (a remote host); each key is checked by the type. */
export function forwardingHandlers(invoke: <C extends InvokeChannel>(channel: C, request: unknown) => Promise<InvokeResponses[C]>): InvokeHandlers {
  return {
    'app:info': (request) => invoke('app:info', request),
    'hardware:profile': (request) => invoke('hardware:profile', request),
    'hardware:latencyTable': (request) => invoke('hardware:latencyTable', request),
    'data:inspect': (request) => invoke('data:inspect', request),
    'dialog:pickPath': (request) => invoke('dialog:pickPath', request),
    'search:estimate': (request) => invoke('search:estimate', request),
    'search:start': (request) => invoke('search:start', request),
    'search:pause': (request) => invoke('search:pause', request),
    'search:resume': (request) => invoke('search:resume', request),
    'search:cancel': (request) => invoke('search:cancel', request),
    'runs:list': (request) => invoke('runs:list', request),
    'runs:get': (request) => invoke('runs:get', request),
    'export:run': (request) => invoke('export:run', request),
    'export:saveTo': (request) => invoke('export:saveTo', request),
  };
}
