import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createHostClient, type HostClient } from './host-client.js';
import { workerClientEndpoint } from './transports.js';

/**
 * Hosts the engine on a worker thread, so the caller's event loop (the serve mode's HTTP and
 * WebSocket server) stays responsive while training runs. From source (tsx, vitest) the worker
 * loads main.ts through tsx; from a build it loads main.js beside this file.
 */
export interface WorkerEngine {
  client: HostClient;
  /** Resolves with the exit code; pending requests are answered with an error when the worker ends. */
  terminate(): Promise<number>;
  onExit(listener: (code: number) => void): void;
}

export function startWorkerEngine(settings: { runsDir: string; version: string; mode: 'electron' | 'serve' }): WorkerEngine {
  const worker = new Worker(workerEntry(), { workerData: settings });
  const client = createHostClient(workerClientEndpoint(worker));
  const exitListeners: ((code: number) => void)[] = [];
  worker.on('error', (error) => {
    client.failPending('EngineCrashed', `The engine worker failed: ${error.message}`);
  });
  worker.on('exit', (code) => {
    client.close('EngineCrashed', `The engine worker exited (code ${code})`);
    for (const listener of exitListeners) listener(code);
  });
  return {
    client,
    terminate: () => worker.terminate(),
    onExit: (listener) => exitListeners.push(listener),
  };
}

/** From source, a one-line ESM bootstrap loads main.ts through tsx's API (`--import tsx` does not reach workers on Node 20). */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./main.js', import.meta.url);
  // The require condition names the CJS build; its ESM twin sits beside it.
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const main = new URL('./main.ts', import.meta.url).href;
  const code = `import { tsImport } from ${JSON.stringify(tsxApi)}; await tsImport(${JSON.stringify(main)}, ${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
