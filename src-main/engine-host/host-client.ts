import type { EventChannel, EventPayloads, InvokeChannel, InvokeReply } from '../contract/channels.js';
import { errorReply } from './dispatch.js';
import { isHostMessage, type ClientEndpoint, type EventMessage, type LogMessage } from './protocol.js';

/** The asking side of the protocol: numbered requests, matched responses, events and logs fanned out. */
export interface HostClient {
  invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<InvokeReply<C>>;
  onEvent(listener: <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void): () => void;
  onLog(listener: (message: LogMessage) => void): () => void;
  /** Answers every pending request with an error (the host went away). */
  failPending(name: string, message: string): void;
  /** The host is gone for good: fails what is pending and answers every later request with this error. */
  close(name: string, message: string): void;
  readonly pendingCount: number;
  dispose(): void;
}

export function createHostClient(endpoint: ClientEndpoint): HostClient {
  let seq = 0;
  const pending = new Map<number, (reply: InvokeReply<InvokeChannel>) => void>();
  const eventListeners = new Set<(channel: EventChannel, payload: unknown) => void>();
  const logListeners = new Set<(message: LogMessage) => void>();
  let closedWith: { name: string; message: string } | undefined;

  const detach = endpoint.onMessage((message) => {
    if (!isHostMessage(message)) return;
    if (message.type === 'response') {
      const settle = pending.get(message.seq);
      pending.delete(message.seq);
      settle?.(message.reply);
    } else if (message.type === 'event') {
      const event = message as EventMessage;
      for (const listener of eventListeners) listener(event.channel, event.payload);
    } else {
      for (const listener of logListeners) listener(message);
    }
  });

  return {
    invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<InvokeReply<C>> {
      if (closedWith) return Promise.resolve(errorReply(closedWith.name, closedWith.message));
      const id = ++seq;
      return new Promise<InvokeReply<C>>((resolve) => {
        pending.set(id, resolve as (reply: InvokeReply<InvokeChannel>) => void);
        try {
          endpoint.post({ seq: id, channel, request });
        } catch (error) {
          pending.delete(id);
          resolve(errorReply('TransportError', `${channel}: ${(error as Error).message}`));
        }
      });
    },
    onEvent(listener) {
      const wrapped = listener as (channel: EventChannel, payload: unknown) => void;
      eventListeners.add(wrapped);
      return () => eventListeners.delete(wrapped);
    },
    onLog(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    failPending(name, message) {
      const settles = [...pending.values()];
      pending.clear();
      for (const settle of settles) settle(errorReply(name, message));
    },
    close(name, message) {
      closedWith = { name, message };
      this.failPending(name, message);
      this.dispose();
    },
    get pendingCount() {
      return pending.size;
    },
    dispose() {
      detach();
      eventListeners.clear();
      logListeners.clear();
    },
  };
}
