import type { RunEventListener } from '../../contract/events.js';
import type { RunResult } from '../../contract/result.js';
import type { SearchConfigInput } from '../../contract/search-config.js';
import type { PauseGate } from './run-control.js';

/**
 * The engine's one entry point for a whole run: load data, search, derive, retrain, evaluate, write
 * `<outDir>/<runId>/result.json`. Implemented in run-search.ts; the CLI, the engine host and the tests
 * call it.
 */
export interface RunOptions {
  /** Parent folder of run folders. */
  outDir: string;
  /** Chosen by the caller when it must know it before the run starts (the app); else generated. */
  runId?: string;
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: RunEventListener;
}

export type RunSearch = (config: SearchConfigInput, options: RunOptions) => Promise<RunResult & { runDir: string }>;
