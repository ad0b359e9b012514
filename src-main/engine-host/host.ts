import type { InvokeHandlers } from '../contract/channels.js';
import { dispatchInvoke, errorReply } from './dispatch.js';
import { EngineService, type EngineServiceOptions } from './engine.service.js';
import { isRequestMessage, type HostEndpoint } from './protocol.js';

/** Answers every request arriving at `endpoint` with the shared validate-and-dispatch. */
export function attachHandlers(endpoint: HostEndpoint, handlers: InvokeHandlers): () => void {
  return endpoint.onMessage((message) => {
    if (!isRequestMessage(message)) {
      endpoint.post({ type: 'log', level: 'warn', message: 'engine host: ignored a message that is not a request' });
      return;
    }
    void dispatchInvoke(handlers, message.channel, message.request).then((reply) => {
      try {
        endpoint.post({ seq: message.seq, type: 'response', reply });
      } catch (error) {
        // A result the channel cannot carry (not structured-cloneable) still gets an answer.
        endpoint.post({ seq: message.seq, type: 'response', reply: errorReply('TransportError', `${message.channel}: ${(error as Error).message}`) });
      }
    });
  });
}

/** Runs the engine behind one endpoint: requests in, responses, events and logs out. */
export function startEngineHost(endpoint: HostEndpoint, options: Omit<EngineServiceOptions, 'emit' | 'log'>): { service: EngineService; detach: () => void } {
  const service = new EngineService({
    ...options,
    emit: (channel, payload) => endpoint.post({ type: 'event', channel, payload }),
    log: (level, message) => endpoint.post({ type: 'log', level, message }),
  });
  return { service, detach: attachHandlers(endpoint, service.handlers) };
}
