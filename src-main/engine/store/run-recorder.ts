import type { RunEvent } from '../../contract/events.js';
import { RunCancelledError } from '../search/run-control.js';
import { RunStore } from './run-store.js';
import { storeListener } from './store-listener.js';

/**
 * One run's bookkeeping in the run store, as run-search needs it: create (or reopen on resume),
 * record events, checkpoints and artifacts, and the final status. The store is a record, not the run:
 * if it cannot be opened or written, the run goes on and `warn` says so once.
 */
export class RunRecorder {
  private readonly listen: (event: RunEvent) => void;

  private constructor(
    private readonly store: RunStore | undefined,
    readonly runId: string,
    private readonly warn: (message: string) => void,
    /** Opened here, so closed here. */
    private readonly owned = false,
  ) {
    this.listen = store ? storeListener(store, runId, (error) => warn(`run store: ${error.message.replace(/\.$/, '')}; the run goes on, its files are complete`)) : () => undefined;
  }

  /**
   * `store`: an open store (the caller keeps ownership), 'none' to record nothing, or undefined for
   * the default store of this user (opened here, closed by close()).
   */
  static start(options: {
    store?: RunStore | 'none';
    runId: string;
    runDir: string;
    config: unknown;
    hardware?: unknown;
    /** Resuming: the run exists; its records of `phase` from epoch `fromEpoch` on (as events number them) are dropped: they are redone. */
    resume?: { fromEpoch: number; phase: 'search' | 'retrain' };
    warn: (message: string) => void;
  }): RunRecorder {
    if (options.store === 'none') return new RunRecorder(undefined, options.runId, options.warn);
    let store: RunStore | undefined;
    let owned = false;
    try {
      store = options.store ?? RunStore.open();
      owned = options.store === undefined;
      const recorder = new RunRecorder(store, options.runId, options.warn, owned);
      const existing = store.resolveId(options.runId) === options.runId ? store.getRun(options.runId) : undefined;
      if (existing && !options.resume && existing.status === 'queued') {
        // Queued by the app before it started: now it runs.
        store.setStatus(options.runId, 'running');
      } else if (options.resume && existing) {
        store.truncateFrom(options.runId, options.resume.phase, options.resume.fromEpoch);
        if (options.resume.phase === 'search') store.truncateFrom(options.runId, 'retrain', 0);
        store.setStatus(options.runId, 'running', { error: null });
      } else {
        store.createRun({ id: options.runId, runDir: options.runDir, config: options.config, hardware: options.hardware, status: 'running' });
      }
      return recorder;
    } catch (error) {
      if (owned) store?.close();
      options.warn(`run store: ${(error as Error).message.replace(/\.$/, '')}; the run goes on without being listed in 'nas-studio runs'`);
      return new RunRecorder(undefined, options.runId, options.warn);
    }
  }

  readonly onEvent = (event: RunEvent): void => this.listen(event);

  private closed = false;

  private safely(what: () => void): void {
    if (!this.store || this.closed) return;
    try {
      what();
    } catch (error) {
      this.warn(`run store: ${(error as Error).message}`);
    }
  }

  /** A new checkpoint replaced the previous one: one checkpoint artifact row, the current file. */
  checkpoint(file: string, bytes: number): void {
    this.safely(() => {
      this.store!.pruneArtifacts(this.runId, 'checkpoint', []);
      this.store!.addArtifact(this.runId, { kind: 'checkpoint', path: file, bytes });
    });
  }

  /** The machine profile the run ran on (replaces the basic facts recorded at the start). */
  hardware(profile: unknown): void {
    this.safely(() => this.store!.setHardware(this.runId, profile));
  }

  /** The search went back to the start of `epoch` (as events number them): its records from there on are redone. */
  rollback(epoch: number): void {
    this.safely(() => this.store!.truncateFrom(this.runId, 'search', epoch));
  }

  artifact(kind: 'export' | 'image' | 'model', file: string, bytes: number): void {
    this.safely(() => this.store!.addArtifact(this.runId, { kind, path: file, bytes }));
  }

  done(result: unknown): void {
    this.safely(() => this.store!.setStatus(this.runId, 'done', { phase: 'done', result }));
  }

  /** Cancelled when the user cancelled, failed otherwise, with the error's message. */
  failed(error: unknown): void {
    const cancelled = error instanceof RunCancelledError;
    this.safely(() => this.store!.setStatus(this.runId, cancelled ? 'cancelled' : 'failed', { error: error instanceof Error ? error.message : String(error) }));
  }

  close(): void {
    this.closed = true;
    if (this.owned) this.store?.close();
  }
}
