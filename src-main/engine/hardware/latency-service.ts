/**
 * The latency table a host asks for by space alone (the app's hardware:latencyTable channel, found by the
 * engine host as `buildLatencyTable`, and `nas-studio profile --latency-table`): the quick preset's skeleton
 * on MNIST-sized images (28×28×1, 10 classes), or synthetic-HAR windows (128×9, 6 classes) for har1d.
 */
import { selectBackend } from '../backend/select-backend.js';
import { HAR_WINDOW_SAMPLES } from '../data/har/synthetic-har.js';
import { macroOptionsFor } from '../search/macro-options.js';
import { resolveConfig } from '../search/presets.js';
import type { MacroOptions } from '../space/macro.js';
import type { SpaceName } from '../space/space.types.js';
import { classificationTask } from '../tasks/classification.task.js';
import { harTask } from '../tasks/har.task.js';
import type { Task } from '../tasks/task.types.js';
import { ensureLatencyTable, type EnsuredTable } from './latency-table.js';
import type { LatencyTable } from './latency-table.types.js';

export interface DefaultLatencySetup {
  task: Task;
  macro: MacroOptions;
  /** Words for the input, e.g. "MNIST 28x28x1". */
  input: string;
}

export function defaultLatencySetup(space: SpaceName): DefaultLatencySetup {
  const har = space === 'har1d';
  const config = resolveConfig({ space, task: har ? 'har' : 'classification', data: { kind: 'builtin', name: har ? 'har-synthetic' : 'mnist' } });
  const task = har ? harTask(HAR_WINDOW_SAMPLES, 9, 6) : classificationTask([28, 28, 1], 10);
  return { task, macro: macroOptionsFor(config, task), input: har ? `HAR windows ${HAR_WINDOW_SAMPLES}x9` : 'MNIST 28x28x1' };
}

export interface SpaceTableOptions {
  /** Measure every key again instead of reading the cache. */
  refresh?: boolean;
  noSave?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** This machine's table of a space for the default setup: cached, or measured now and cached. */
export async function latencyTableForSpace(space: SpaceName, options: SpaceTableOptions = {}): Promise<EnsuredTable & { setup: DefaultLatencySetup }> {
  const setup = defaultLatencySetup(space);
  const backend = await selectBackend();
  const ensured = await ensureLatencyTable({ space, task: setup.task, macro: setup.macro, backend: backend.name, ...options });
  return { ...ensured, setup };
}

/** The engine host's hardware:latencyTable: { space, rebuild } → the table (plain JSON). */
export async function buildLatencyTable(request: { space: SpaceName; rebuild?: boolean }): Promise<LatencyTable> {
  const { table } = await latencyTableForSpace(request.space, { refresh: request.rebuild === true });
  return table;
}
