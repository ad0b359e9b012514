import type { RunEvent, RunStage } from '../contract/events.js';

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Renders run events on stderr: one rewritten progress line on a terminal, plain lines (at most one
 * every few seconds, plus every phase and epoch) otherwise. The bar, the percentage and the ETA are the
 * whole run's ('progress' events, engine/progress/run-progress.ts), with the stage named; the latest
 * training step adds its epoch and its batch's loss and score. stdout stays free for the result path.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr, plainIntervalMs = 5000) {
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let lineOpen = false;
  let stepDetail = '';
  let stepStage: RunStage | undefined;

  const endLine = () => {
    if (lineOpen) stream.write('\n');
    lineOpen = false;
  };

  return (event: RunEvent): void => {
    switch (event.type) {
      case 'phase':
        endLine();
        stream.write(`[${event.phase}]${event.message ? ` ${event.message}` : ''}\n`);
        return;
      case 'log':
      case 'guard':
        // A run that fails logs its error for the run store; the CLI says it once, as its last line.
        if (event.type === 'log' && event.level === 'error') return;
        endLine();
        stream.write(`${event.type === 'guard' ? 'guard' : event.level}: ${event.message}\n`);
        return;
      case 'epoch': {
        endLine();
        const valid = event.validScore !== undefined ? ` valid ${event.validScore.toFixed(4)}` : '';
        stream.write(
          `${event.phase} epoch ${event.epoch}/${event.epochs}: loss ${event.trainLoss.toFixed(4)} score ${event.trainScore.toFixed(4)}${valid}` +
            (event.genotype ? `\n  genotype ${event.genotype}` : '') +
            '\n',
        );
        return;
      }
      case 'step':
        stepStage = event.model ?? (event.phase === 'retrain' ? 'retrain' : 'search');
        // One batch's figures, said as such: the model's are the evaluation's, at the end.
        stepDetail =
          ` · ${event.model ?? event.phase} epoch ${event.epoch}/${event.epochs}, batch loss ${event.loss.toFixed(4)} ${event.scoreName} ${event.score.toFixed(3)}, ` +
          `${Math.round(event.imagesPerSecond)} samples/s`;
        return;
      case 'progress': {
        if (event.stage === 'done') return;
        const rough = event.basis === 'rough' ? ' (rough: nothing timed yet)' : '';
        const detail = stepStage === event.stage ? stepDetail : '';
        const text = `${(event.fraction * 100).toFixed(0)}% ${event.label}${detail} · ETA ${formatDuration(event.etaSeconds)}${rough}`;
        if (tty) {
          const width = 24;
          const filled = Math.round(event.fraction * width);
          stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
          lineOpen = true;
        } else if (Date.now() - lastPlain >= plainIntervalMs) {
          lastPlain = Date.now();
          stream.write(`${text}\n`);
        }
        return;
      }
      default:
        return;
    }
  };
}
