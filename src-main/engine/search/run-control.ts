/**
 * Pause and resume for a running loop: the loop awaits `whenRunning()` between steps. Cancellation is
 * an AbortSignal, separate from this, so every layer can honour it with the platform's own type.
 */
export class PauseGate {
  private paused = false;
  private waiters: (() => void)[] = [];

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at once when running; otherwise when resumed or when the signal aborts. */
  whenRunning(signal?: AbortSignal): Promise<void> {
    if (!this.paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

/** Thrown (and recognised) when a run stops because the user cancelled it. */
export class RunCancelledError extends Error {
  override name = 'RunCancelledError';
  constructor() {
    super('The run was cancelled.');
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RunCancelledError();
}
