import { createHostClient, type HostClient } from '../engine-host/host-client.js';
import { startEngineHost } from '../engine-host/host.js';
import type { EngineEntryPoints } from '../engine-host/engine.service.js';
import { createInMemoryPair } from '../engine-host/transports.js';
import { startWorkerEngine } from '../engine-host/worker-engine.js';

/**
 * Where the serve mode's engine runs: on a worker thread (default: training never stalls the HTTP
 * and WebSocket server) or in this thread (tests, with entry points of their own).
 */
export interface EngineConnection {
  client: HostClient;
  close(): Promise<void>;
}

export interface EngineSettings {
  runsDir: string;
  version: string;
}

export function connectEngine(settings: EngineSettings, where: 'worker' | 'in-process', engine?: Partial<EngineEntryPoints>): EngineConnection {
  if (where === 'worker') {
    const worker = startWorkerEngine({ ...settings, mode: 'serve' });
    return {
      client: worker.client,
      close: async () => {
        await worker.terminate();
      },
    };
  }
  const pair = createInMemoryPair();
  const host = startEngineHost(pair.host, { ...settings, mode: 'serve', engine });
  const client = createHostClient(pair.client);
  return {
    client,
    close: async () => {
      host.service.cancelAll();
      await host.service.whenIdle();
      host.detach();
      client.dispose();
    },
  };
}
