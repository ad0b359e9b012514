import type {
  EventChannel,
  EventPayloads,
  InvokeChannel,
  InvokeReply,
  InvokeRequest,
  InvokeResponses,
  NasStudioApi,
} from '../../../src-main/contract/channels.js';

/** The serve mode's wire messages (the same protocol as the engine host's). */
type ServerMessage =
  | { seq: number; type: 'response'; reply: InvokeReply<InvokeChannel> }
  | { type: 'event'; channel: EventChannel; payload: unknown }
  | { type: 'log'; level: string; message: string };

/** The subset of the WebSocket API used here (browsers' WebSocket; `ws` in Node tests). */
interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}
type SocketFactory = new (url: string) => SocketLike;

export interface WebSocketClientOptions {
  url: string;
  WebSocketImpl?: SocketFactory;
  /** Waits between reconnection attempts; the last repeats. */
  reconnectDelaysMs?: number[];
}

export interface WebSocketClient extends NasStudioApi {
  readonly connected: boolean;
  /** Stops reconnecting and rejects what is pending. */
  close(): void;
}

const OPEN = 1;

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * NasStudioApi over the serve mode's WebSocket. Requests made while disconnected wait for the next
 * connection; requests in flight when it drops fail with ConnectionLost (they are not resent: a
 * search:start sent twice would start two runs). Losing and regaining the connection is reported
 * as 'engine:status' events, as the app reports an engine restart.
 */
export function createWebSocketClient(options: WebSocketClientOptions): WebSocketClient {
  const Socket = options.WebSocketImpl ?? (globalThis.WebSocket as unknown as SocketFactory);
  const delays = options.reconnectDelaysMs ?? [250, 500, 1000, 2000, 5000];
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const inFlight = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let waiting: { seq: number; text: string }[] = [];
  let seq = 0;
  let attempt = 0;
  let everOpened = false;
  let lost = false;
  let closed = false;
  let socket: SocketLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const emit = <E extends EventChannel>(channel: E, payload: EventPayloads[E]): void => {
    for (const listener of listeners.get(channel) ?? []) listener(payload);
  };

  const connect = (): void => {
    const current = new Socket(options.url);
    socket = current;
    current.onopen = () => {
      attempt = 0;
      if (lost) emit('engine:status', { state: 'ready', message: 'reconnected to the server' });
      everOpened = true;
      lost = false;
      const queued = waiting;
      waiting = [];
      for (const { text } of queued) current.send(text);
    };
    current.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'response') {
        const pending = inFlight.get(message.seq);
        inFlight.delete(message.seq);
        if (!pending) return;
        if ('error' in message.reply) pending.reject(namedError(message.reply.error.name, message.reply.error.message));
        else pending.resolve(message.reply.result);
      } else if (message.type === 'event') {
        for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
      }
    };
    current.onerror = () => undefined; // onclose follows and handles it
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      const sentSeqs = [...inFlight.keys()].filter((id) => !waiting.some((entry) => entry.seq === id));
      for (const id of sentSeqs) {
        inFlight.get(id)?.reject(namedError('ConnectionLost', 'The connection to the NAS Studio server was lost; try again.'));
        inFlight.delete(id);
      }
      if (closed) return;
      if (everOpened && !lost) emit('engine:status', { state: 'restarting', message: 'connection to the server lost; reconnecting' });
      lost = everOpened;
      const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
      attempt += 1;
      timer = setTimeout(connect, delay);
    };
  };
  connect();

  return {
    get connected() {
      return socket?.readyState === OPEN;
    },
    invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponses[C]> {
      if (closed) return Promise.reject(namedError('ConnectionLost', 'The client is closed.'));
      const id = ++seq;
      const text = JSON.stringify({ seq: id, channel, request });
      return new Promise<InvokeResponses[C]>((resolve, reject) => {
        inFlight.set(id, { resolve: resolve as (value: unknown) => void, reject });
        if (socket?.readyState === OPEN) socket.send(text);
        else waiting.push({ seq: id, text });
      });
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const [, pending] of inFlight) pending.reject(namedError('ConnectionLost', 'The client is closed.'));
      inFlight.clear();
      waiting = [];
      socket?.close();
    },
  };
}
