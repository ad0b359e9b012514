import type { EventEmitter } from 'node:events';
import type { EventChannel, EventPayloads, InvokeChannel, InvokeReply, RunSummary } from '../contract/channels.js';
import { createHostClient, type HostClient } from '../engine-host/host-client.js';
import type { ClientEndpoint, HostMessage } from '../engine-host/protocol.js';

/** What the engine process needs of Electron's UtilityProcess (a fake stands in for tests). */
export interface UtilityLike extends EventEmitter {
  postMessage(message: unknown): void;
  kill(): boolean;
  stdout?: NodeJS.ReadableStream | null;
  stderr?: NodeJS.ReadableStream | null;
}
export type ForkEngine = (env: Record<string, string>) => UtilityLike;

export interface EngineProcessOptions {
  fork: ForkEngine;
  runsDir: string;
  version: string;
  emit: <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void;
  log?: (message: string) => void;
}

const ACTIVE = new Set<RunSummary['status']>(['queued', 'running', 'paused']);

/**
 * The engine host in an Electron utility process, started on the first request. If it exits
 * unexpectedly, requests in flight fail with EngineCrashed, runs it had are reported failed,
 * 'engine:status' says 'crashed', and the next request starts a fresh one ('restarting').
 * Renderer reloads do not touch it: runs continue.
 */
export class EngineProcess {
  private child: UtilityLike | undefined;
  private client: HostClient | undefined;
  private starting: Promise<HostClient> | undefined;
  private crashed = false;
  private stopping = false;
  private readonly runStatus = new Map<string, RunSummary['status']>();

  constructor(private readonly options: EngineProcessOptions) {}

  async invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<InvokeReply<C>> {
    const client = await this.ensure();
    return client.invoke(channel, request);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Stops the current engine (its runs end) and starts a new one. */
  async restart(): Promise<void> {
    this.stop();
    this.stopping = false;
    this.crashed = true;
    await this.ensure();
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
  }

  private ensure(): Promise<HostClient> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawn(): Promise<HostClient> {
    const { emit, log = console.error } = this.options;
    emit('engine:status', { state: this.crashed ? 'restarting' : 'starting' });
    const child = this.options.fork({ NAS_STUDIO_RUNS_DIR: this.options.runsDir, NAS_STUDIO_VERSION: this.options.version, NAS_STUDIO_MODE: 'electron' });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer | string) => log(`engine: ${String(chunk).trimEnd()}`));
    child.stderr?.on('data', (chunk: Buffer | string) => log(`engine: ${String(chunk).trimEnd()}`));
    const endpoint: ClientEndpoint = {
      post: (message) => child.postMessage(message),
      onMessage(listener) {
        const handler = (message: HostMessage): void => listener(message);
        child.on('message', handler);
        return () => child.off('message', handler);
      },
    };
    const client = createHostClient(endpoint);
    client.onEvent((channel, payload) => {
      if (channel === 'run:status') {
        const { runId, status } = payload as EventPayloads['run:status'];
        if (ACTIVE.has(status)) this.runStatus.set(runId, status);
        else this.runStatus.delete(runId);
      }
      emit(channel, payload);
    });
    client.onLog((message) => log(`engine ${message.level}: ${message.message}`));

    return new Promise<HostClient>((resolve, reject) => {
      child.once('spawn', () => {
        this.client = client;
        emit('engine:status', { state: 'ready' });
        resolve(client);
      });
      child.once('exit', (code: number) => {
        const wasReady = this.client === client;
        this.child = undefined;
        this.client = undefined;
        const message = this.stopping ? 'the engine was stopped' : `the engine stopped unexpectedly (exit code ${code}); it starts again on the next request`;
        client.close('EngineCrashed', message);
        for (const [runId] of this.runStatus) emit('run:status', { runId, status: 'failed', error: message });
        this.runStatus.clear();
        if (!this.stopping) {
          this.crashed = true;
          emit('engine:status', { state: 'crashed', message });
        }
        if (!wasReady) reject(Object.assign(new Error(message), { name: 'EngineCrashed' }));
      });
    });
  }
}
