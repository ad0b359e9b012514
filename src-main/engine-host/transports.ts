import type { MessagePort as WorkerMessagePort, Worker } from 'node:worker_threads';
import type { ClientEndpoint, HostEndpoint, HostMessage, MessageEndpoint, RequestMessage } from './protocol.js';

/** Electron's `process.parentPort` inside a utility process (typed here: the engine never imports electron). */
export interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off?(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export function parentPortEndpoint(port: ElectronParentPort): HostEndpoint {
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }): void => listener(event.data as RequestMessage);
      port.on('message', handler);
      return () => port.off?.('message', handler);
    },
  };
}

/** worker_threads: the worker's parentPort (host side) or the Worker object (client side). */
export function workerPortEndpoint(port: WorkerMessagePort): HostEndpoint {
  return nodePortEndpoint<RequestMessage, HostMessage>(port);
}

export function workerClientEndpoint(worker: Worker): ClientEndpoint {
  return nodePortEndpoint<HostMessage, RequestMessage>(worker);
}

function nodePortEndpoint<In, Out>(port: WorkerMessagePort | Worker): MessageEndpoint<In, Out> {
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (data: unknown): void => listener(data as In);
      port.on('message', handler);
      return () => port.off('message', handler);
    },
  };
}

/**
 * Two endpoints joined in memory, for tests and for hosting the engine in-process. Messages are
 * structured-cloned and delivered on a later tick, as across a real process boundary.
 */
export function createInMemoryPair(): { host: HostEndpoint; client: ClientEndpoint } {
  const toHost = new Set<(message: RequestMessage) => void>();
  const toClient = new Set<(message: HostMessage) => void>();
  const deliver = <T>(listeners: Set<(message: T) => void>, message: T): void => {
    const copy = structuredClone(message);
    setImmediate(() => {
      for (const listener of listeners) listener(copy);
    });
  };
  const endpoint = <In, Out>(incoming: Set<(message: In) => void>, outgoing: Set<(message: Out) => void>): MessageEndpoint<In, Out> => ({
    post: (message) => deliver(outgoing, message),
    onMessage(listener) {
      incoming.add(listener);
      return () => incoming.delete(listener);
    },
  });
  return { host: endpoint(toHost, toClient), client: endpoint(toClient, toHost) };
}
