import { randomBytes } from 'node:crypto';
import type {
  AppInfo,
  EventChannel,
  EventPayloads,
  InvokeHandlers,
  InvokeResponses,
  ParsedInvokeRequest,
  RunSummary,
} from '../contract/channels.js';
import type { RunEvent } from '../contract/events.js';
import type { SearchConfig } from '../contract/search-config.js';
import { PauseGate } from '../engine/search/run-control.js';
import type { RunSearch } from '../engine/search/run-search.types.js';
import { createEventThrottle } from './event-throttle.js';
import { engineEntry } from './engine-entry.js';
import { NotAvailableError } from './not-available.js';
import { exportRunFormats, readKeptExportReport, saveExportsTo } from './exports.js';
import { listRunIds, readRunDetails, readRunSummary, summaryFromResult } from './run-folders.js';
import { searchSpaceFor } from '../contract/default-space.js';

export type EmitEvent = <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void;

/** Entry points into the engine; found lazily in src-main/engine unless given (tests give their own). */
export interface EngineEntryPoints {
  runSearch: RunSearch;
  hardwareProfile: (refresh: boolean) => Promise<unknown>;
}

export interface EngineServiceOptions {
  runsDir: string;
  mode: AppInfo['mode'];
  version: string;
  emit: EmitEvent;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  engine?: Partial<EngineEntryPoints>;
  /** Minimum interval between forwarded step events; phase/epoch/log/guard events are never held. */
  stepIntervalMs?: number;
}

interface TrackedRun {
  runId: string;
  config: SearchConfig;
  createdAt: string;
  status: RunSummary['status'];
  error?: string;
  summary?: RunSummary;
  controller: AbortController;
  gate: PauseGate;
}

const ACTIVE: ReadonlySet<RunSummary['status']> = new Set(['queued', 'running', 'paused']);

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/**
 * The engine behind the contract. Runs go one at a time: a second search:start while one runs is
 * queued (status 'queued') and starts when the first ends, because two searches on a 2-core machine
 * would each take twice as long and fight over memory. Pause and cancel work on queued runs too.
 */
export class EngineService {
  readonly handlers: InvokeHandlers;
  private readonly runs = new Map<string, TrackedRun>();
  private readonly queue: TrackedRun[] = [];
  private current: TrackedRun | undefined;
  private profile: Promise<unknown> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: EngineServiceOptions) {
    this.handlers = {
      'app:info': async () => ({ version: options.version, mode: options.mode, platform: process.platform }),
      'hardware:profile': (request) => this.hardwareProfile(request.refresh),
      'hardware:latencyTable': async (request) => (await engineEntry.buildLatencyTable())(request),
      'data:inspect': async (request) => (await engineEntry.inspectDataSource())(request),
      'dialog:pickPath': async () => {
        throw new NotAvailableError('not available here: picking a path needs the desktop window; type the path instead');
      },
      'search:estimate': async (request) => (await engineEntry.estimateSearch())(request),
      'search:start': (request) => this.start(request.config),
      'search:pause': async ({ runId }) => this.pause(runId),
      'search:resume': async ({ runId }) => this.resume(runId),
      'search:cancel': async ({ runId }) => this.cancel(runId),
      'runs:list': (request) => this.list(request),
      'runs:get': (request) => this.get(request.runId),
      'export:run': (request) => exportRunFormats(options.runsDir, request, (line) => options.log?.('info', `export ${request.runId}: ${line}`)),
      'export:saveTo': (request) => saveExportsTo(options.runsDir, request),
    };
  }

  /** Resolves when no run is running or queued (tests, and a clean shutdown). */
  whenIdle(): Promise<void> {
    if (!this.current && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels every queued and running run (host shutdown). */
  cancelAll(): void {
    for (const run of [...this.queue]) this.cancel(run.runId);
    if (this.current) this.cancel(this.current.runId);
  }

  private hardwareProfile(refresh: boolean): Promise<unknown> {
    if (refresh || !this.profile) {
      const build = this.options.engine?.hardwareProfile ?? defaultHardwareProfile;
      this.profile = build(refresh);
      this.profile.catch(() => (this.profile = undefined));
    }
    return this.profile;
  }

  private async start(config: SearchConfig): Promise<InvokeResponses['search:start']> {
    // Load first, so a missing engine fails this call instead of a queued run later.
    const runSearch = this.options.engine?.runSearch ?? (await engineEntry.runSearch());
    const run: TrackedRun = {
      runId: newRunId(),
      config,
      createdAt: new Date().toISOString(),
      status: 'queued',
      controller: new AbortController(),
      gate: new PauseGate(),
    };
    this.runs.set(run.runId, run);
    this.queue.push(run);
    this.setStatus(run, 'queued');
    this.pump(runSearch);
    return { runId: run.runId };
  }

  private pump(runSearch: RunSearch): void {
    if (this.current) return;
    const next = this.queue.shift();
    if (!next) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
      return;
    }
    this.current = next;
    void this.execute(next, runSearch).finally(() => {
      this.current = undefined;
      this.pump(runSearch);
    });
  }

  private async execute(run: TrackedRun, runSearch: RunSearch): Promise<void> {
    const throttle = createEventThrottle((event: RunEvent) => this.options.emit('run:event', { runId: run.runId, event }), this.options.stepIntervalMs ?? 100);
    this.setStatus(run, run.gate.isPaused ? 'paused' : 'running');
    try {
      const result = await runSearch(run.config, {
        outDir: this.options.runsDir,
        runId: run.runId,
        signal: run.controller.signal,
        pause: run.gate,
        onEvent: (event) => throttle.push(event),
      });
      throttle.flush();
      // Started when it was started, not when result.json was written.
      run.summary = { ...summaryFromResult(result), runId: run.runId, createdAt: run.createdAt };
      this.setStatus(run, 'done');
    } catch (error) {
      throttle.flush();
      if (run.controller.signal.aborted || (error as Error)?.name === 'RunCancelledError') {
        this.setStatus(run, 'cancelled');
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log?.('error', `run ${run.runId} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
        this.setStatus(run, 'failed', message);
      }
    }
  }

  private setStatus(run: TrackedRun, status: RunSummary['status'], error?: string): void {
    run.status = status;
    run.error = error;
    this.options.emit('run:status', error === undefined ? { runId: run.runId, status } : { runId: run.runId, status, error });
  }

  private activeRun(runId: string): TrackedRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`No run ${runId} in this session`);
    if (!ACTIVE.has(run.status)) throw new Error(`Run ${runId} is not active (it is ${run.status})`);
    return run;
  }

  private pause(runId: string): { ok: true } {
    const run = this.activeRun(runId);
    run.gate.pause();
    if (run.status === 'running') this.setStatus(run, 'paused');
    return { ok: true };
  }

  private resume(runId: string): { ok: true } {
    const run = this.activeRun(runId);
    run.gate.resume();
    if (run.status === 'paused') this.setStatus(run, 'running');
    return { ok: true };
  }

  private cancel(runId: string): { ok: true } {
    const run = this.activeRun(runId);
    const queued = this.queue.indexOf(run);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.setStatus(run, 'cancelled');
    } else {
      // The status follows when the loop notices the abort and runSearch rejects.
      run.controller.abort();
      run.gate.resume();
    }
    return { ok: true };
  }

  private summaryOf(run: TrackedRun): RunSummary {
    if (run.summary) return run.summary;
    const data = run.config.data;
    return {
      runId: run.runId,
      task: run.config.task,
      dataset: data.kind === 'builtin' ? data.name : data.path.split(/[\\/]/).filter(Boolean).pop() ?? data.path,
      space: searchSpaceFor(run.config.task, run.config.space),
      strategy: run.config.strategy,
      preset: run.config.preset,
      status: run.status,
      createdAt: run.createdAt,
      ...(run.error === undefined ? {} : { error: run.error }),
    };
  }

  private async list(filter: ParsedInvokeRequest<'runs:list'>): Promise<RunSummary[]> {
    const ids = new Set([...(await listRunIds(this.options.runsDir)), ...this.runs.keys()]);
    const summaries: RunSummary[] = [];
    for (const runId of ids) {
      const tracked = this.runs.get(runId);
      // What this session knows (active, cancelled, failed) beats a folder that has no result yet.
      const summary = tracked && tracked.status !== 'done' ? this.summaryOf(tracked) : await readRunSummary(this.options.runsDir, runId).catch((error: Error) => brokenSummary(runId, error));
      if (filter.task && summary.task !== filter.task) continue;
      if (filter.status && summary.status !== filter.status) continue;
      summaries.push(summary);
    }
    return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async get(runId: string): Promise<InvokeResponses['runs:get']> {
    const details = await readRunDetails(this.options.runsDir, runId);
    const tracked = this.runs.get(runId);
    if (details) {
      const exportReport = await readKeptExportReport(this.options.runsDir, runId);
      return tracked && tracked.status !== 'done' ? { ...details, summary: this.summaryOf(tracked) } : { ...details, exportReport };
    }
    if (tracked) return { summary: this.summaryOf(tracked), events: [], images: [] };
    throw new Error(`No run ${runId} in ${this.options.runsDir}`);
  }
}

function brokenSummary(runId: string, error: Error): RunSummary {
  return {
    runId,
    task: 'unknown',
    dataset: 'unknown',
    space: 'unknown',
    strategy: 'unknown',
    preset: 'unknown',
    status: 'failed',
    createdAt: new Date(0).toISOString(),
    error: error.message,
  };
}

/** The hardware module's host entry point: a saved profile of this machine, or a fresh measured one. */
async function defaultHardwareProfile(refresh: boolean): Promise<unknown> {
  return (await engineEntry.getMachineProfile())({ refresh });
}
