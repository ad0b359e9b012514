import { get, writable, type Readable } from 'svelte/store';
import type { EventPayloads, NasStudioApi } from '../../src-main/contract/channels.js';
import { initialLiveRun, reduceLiveRun, type LiveRunState } from '../lib/live-run.js';

/**
 * Every run's live state, fed by 'run:event' and 'run:status' from the moment the app starts, so
 * events that arrive before 'search:start' has answered are not lost.
 */
export interface LiveRuns {
  runs: Readable<Record<string, LiveRunState>>;
  engine: Readable<EventPayloads['engine:status'] | undefined>;
  /** The run the Live view follows. */
  current: Readable<string | undefined>;
  follow(runId: string | undefined): void;
  /** Replays stored events of a run (opened after a reload); events already seen are not counted twice. */
  replay(runId: string, events: EventPayloads['run:event']['event'][], status?: LiveRunState['status']): void;
  dispose(): void;
}

export function createLiveRuns(client: NasStudioApi): LiveRuns {
  const runs = writable<Record<string, LiveRunState>>({});
  const engine = writable<EventPayloads['engine:status'] | undefined>(undefined);
  const current = writable<string | undefined>(undefined);
  const update = (runId: string, change: (state: LiveRunState) => LiveRunState): void =>
    runs.update((all) => ({ ...all, [runId]: change(all[runId] ?? initialLiveRun(runId)) }));
  const stops = [
    client.on('run:event', ({ runId, event }) => update(runId, (state) => reduceLiveRun(state, event))),
    client.on('run:status', ({ runId, status, error }) => update(runId, (state) => ({ ...state, status, ...(error === undefined ? {} : { error }) }))),
    client.on('engine:status', (payload) => engine.set(payload)),
  ];
  return {
    runs,
    engine,
    current,
    follow: (runId) => current.set(runId),
    replay(runId, events, status) {
      const existing = get(runs)[runId];
      if (existing && existing.eventCount >= events.length) return;
      let state = initialLiveRun(runId);
      for (const event of events) state = reduceLiveRun(state, event);
      runs.update((all) => ({ ...all, [runId]: { ...state, status: status ?? existing?.status } }));
    },
    dispose: () => stops.forEach((stop) => stop()),
  };
}

let shared: LiveRuns | undefined;
export function liveRuns(client: NasStudioApi): LiveRuns {
  shared ??= createLiveRuns(client);
  return shared;
}
