import type { RunEventListener } from '../../contract/events.js';
import type { RunResult } from '../../contract/result.js';
import type { SearchConfigInput } from '../../contract/search-config.js';
import type { RunStore } from '../store/run-store.js';
import type { FaultInjection } from './faults.js';
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
  /** Continue the run `runId` in `outDir` from its last checkpoint instead of starting a new one. */
  resume?: boolean;
  /** The run store to record in: default the user's (NAS_STUDIO_HOME/runs.db); 'none' records nothing. */
  store?: RunStore | 'none';
  /** Explicit fault injection (tests, docs/run-store.md); default: from NAS_STUDIO_FAULT_* variables. */
  faults?: FaultInjection;
}

export type RunSearch = (config: SearchConfigInput, options: RunOptions) => Promise<RunResult & { runDir: string }>;
