import { parentPort as workerParentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { startEngineHost } from './host.js';
import { parentPortEndpoint, workerPortEndpoint, type ElectronParentPort } from './transports.js';
import type { HostEndpoint } from './protocol.js';

/**
 * Entry of the engine host: an Electron utility process (process.parentPort) or a worker thread
 * (worker_threads.parentPort). Settings come from workerData, else from the environment.
 */
interface HostSettings {
  runsDir: string;
  version: string;
  mode: 'electron' | 'serve';
}

function settings(): HostSettings {
  const data = (workerData ?? {}) as Partial<HostSettings>;
  return {
    runsDir: path.resolve(data.runsDir ?? process.env.NAS_STUDIO_RUNS_DIR ?? 'runs'),
    version: data.version ?? process.env.NAS_STUDIO_VERSION ?? '0.0.0',
    mode: data.mode ?? (process.env.NAS_STUDIO_MODE === 'serve' ? 'serve' : 'electron'),
  };
}

function endpoint(): HostEndpoint {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) return parentPortEndpoint(electronPort);
  if (workerParentPort) return workerPortEndpoint(workerParentPort);
  throw new Error('src-main/engine-host/main.ts: start me as an Electron utility process or a worker thread');
}

const host = startEngineHost(endpoint(), settings());
const stop = (): void => {
  host.service.cancelAll();
  void host.service.whenIdle().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
