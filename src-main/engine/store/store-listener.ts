import type { RunEvent, RunEventListener } from '../../contract/events.js';
import type { RunStore } from './run-store.js';

/**
 * Records a run's events in the store: every step as a metric row (but the baseline's), every search epoch's genotype,
 * every phase. The store is a record, not the run: a failed write is reported once on `onError` and
 * never stops the training.
 */
export function storeListener(store: RunStore, runId: string, onError?: (error: Error) => void): RunEventListener {
  const started = performance.now();
  let reported = false;
  return (event: RunEvent) => {
    try {
      switch (event.type) {
        case 'phase':
          if (event.phase !== 'done') store.setPhase(runId, event.phase);
          return;
        case 'step':
          // The baseline's steps are progress only: the stored curves are the searched model's.
          if (event.model === 'baseline') return;
          store.recordStep(runId, { phase: event.phase, epoch: event.epoch, step: event.step, loss: event.loss, score: event.score, time: (performance.now() - started) / 1000 });
          return;
        case 'epoch':
          if (event.phase === 'search' && event.genotype) store.recordEpochGenotype(runId, { epoch: event.epoch, genotype: event.genotype, alphas: event.alphas });
          return;
        default:
          return;
      }
    } catch (error) {
      if (!reported) onError?.(error as Error);
      reported = true;
    }
  };
}
