import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventChannel, EventPayloads, InvokeChannel, InvokeReply, InvokeRequest, InvokeResponses, NasStudioApi } from '../contract/channels.js';

/**
 * Exposes exactly one object, window.nasStudio (NasStudioApi), over ipcRenderer; the renderer never
 * sees ipcRenderer itself. Built as CommonJS: sandboxed preloads cannot be ES modules.
 *
 * contextBridge copies only an Error's message across worlds, so the name travels inside it as
 * "[Name] message"; the renderer's createClient() restores it (src-renderer/lib/client/index.ts).
 */
const EVENT_CHANNELS = ['run:event', 'run:status', 'engine:status'] as const satisfies readonly EventChannel[];
// A new event channel in the contract must be added above: this line stops compiling until it is.
const everyEventListed: Exclude<EventChannel, (typeof EVENT_CHANNELS)[number]> extends never ? true : never = true;
void everyEventListed;

const api: NasStudioApi = {
  async invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponses[C]> {
    const reply = (await ipcRenderer.invoke(channel, request)) as InvokeReply<C>;
    if ('error' in reply) {
      const error = new Error(`[${reply.error.name}] ${reply.error.message}`);
      error.name = reply.error.name;
      throw error;
    }
    return reply.result;
  },
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void {
    if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) throw new Error(`Unknown event channel: ${String(channel)}`);
    const forward = (_event: IpcRendererEvent, payload: EventPayloads[E]): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('nasStudio', api);
