import type { EventChannel, EventPayloads, InvokeChannel, InvokeReply } from '../contract/channels.js';

/**
 * The one message protocol between whoever asks (Electron main, the serve mode, a test) and whoever
 * hosts the engine (a utility process, a worker thread, an in-memory peer), and also over the serve
 * mode's WebSocket. Requests carry a sequence number; responses echo it; events and logs carry none.
 */
export interface RequestMessage {
  seq: number;
  channel: InvokeChannel;
  request: unknown;
}

export type ResponseMessage = { seq: number; type: 'response'; reply: InvokeReply<InvokeChannel> };
export type EventMessage<E extends EventChannel = EventChannel> = { type: 'event'; channel: E; payload: EventPayloads[E] };
export type LogMessage = { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
export type HostMessage = ResponseMessage | EventMessage | LogMessage;

/** One side of a message channel, whatever carries it. */
export interface MessageEndpoint<In, Out> {
  post(message: Out): void;
  /** Returns a function that removes the listener. */
  onMessage(listener: (message: In) => void): () => void;
}

/** The engine host's side: it receives requests and sends responses, events and logs. */
export type HostEndpoint = MessageEndpoint<RequestMessage, HostMessage>;
/** The asking side. */
export type ClientEndpoint = MessageEndpoint<HostMessage, RequestMessage>;

export function isRequestMessage(value: unknown): value is RequestMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Partial<RequestMessage>;
  return typeof message.seq === 'number' && Number.isSafeInteger(message.seq) && typeof message.channel === 'string';
}

export function isHostMessage(value: unknown): value is HostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'response' || type === 'event' || type === 'log';
}
