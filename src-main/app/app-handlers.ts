import type { InvokeChannel, InvokeHandlers, InvokeReply, ParsedInvokeRequest, InvokeResponses } from '../contract/channels.js';
import { forwardingHandlers, unwrapReply } from '../engine-host/dispatch.js';
import { confinePaths } from '../engine-host/path-policy.js';

export interface AppHandlerDeps {
  version: string;
  /** Sends a channel to the engine host. */
  invokeEngine: <C extends InvokeChannel>(channel: C, request: unknown) => Promise<InvokeReply<C>>;
  /** The native dialog (records what was picked). */
  pickPath: (request: ParsedInvokeRequest<'dialog:pickPath'>) => Promise<InvokeResponses['dialog:pickPath']>;
  /** Folders and files the user picked: paths from the renderer must lie in one of them. */
  pickedPaths: () => readonly string[];
}

/**
 * The Electron main process's handler object: the window answers app:info and dialog:pickPath,
 * the engine host everything else; paths must have been picked by the user first.
 */
export function appHandlers(deps: AppHandlerDeps): InvokeHandlers {
  const handlers: InvokeHandlers = {
    ...forwardingHandlers(async (channel, request) => unwrapReply(await deps.invokeEngine(channel, request))),
    'app:info': async () => ({ version: deps.version, mode: 'electron', platform: process.platform }),
    'dialog:pickPath': deps.pickPath,
  };
  return confinePaths(handlers, deps.pickedPaths);
}
