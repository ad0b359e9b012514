import { InvokeRequestSchemas, type InvokeChannel, type InvokeHandlers, type InvokeReply } from '../contract/channels.js';
import { dispatchInvoke, errorReply } from '../engine-host/dispatch.js';

/** The parts of Electron's ipcMain and IpcMainInvokeEvent the router uses (a fake stands in for tests). */
export interface IpcInvokeEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, request: unknown) => Promise<InvokeReply<InvokeChannel>>): void;
  removeHandler(channel: string): void;
}

/**
 * Registers one handler per invoke channel. Each checks the sender, then runs the shared
 * validate-and-dispatch; the reply is always { result } or { error } data, never a throw.
 */
export function registerIpcRouter(ipcMain: IpcMainLike, handlers: InvokeHandlers, isTrusted: (event: IpcInvokeEvent) => boolean): () => void {
  const channels = Object.keys(InvokeRequestSchemas) as InvokeChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, request) => {
      if (!isTrusted(event)) {
        return errorReply('ForbiddenSender', `${channel}: refused a request from ${event.senderFrame?.url ?? 'a closed frame'}`);
      }
      return dispatchInvoke(handlers, channel, request);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
