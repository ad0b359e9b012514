import type { RunEvent } from '../contract/events.js';

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Renders run events on stderr: one rewritten progress line on a terminal, plain lines (at most one
 * every few seconds, plus every phase and epoch) otherwise. stdout stays free for the result path.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr, plainIntervalMs = 5000) {
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let lineOpen = false;

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
      case 'step': {
        const done = (event.epoch - 1) * event.stepsPerEpoch + event.step;
        const total = event.epochs * event.stepsPerEpoch;
        const fraction = total > 0 ? Math.min(1, done / total) : 0;
        const text =
          `${event.model ?? event.phase} ${event.epoch}/${event.epochs} ${Math.round(fraction * 100)}% ` +
          `loss ${event.loss.toFixed(4)} ${event.scoreName} ${event.score.toFixed(3)} ` +
          `${Math.round(event.imagesPerSecond)} samples/s ETA ${formatDuration(event.etaSeconds)}`;
        if (tty) {
          const width = 24;
          const filled = Math.round(fraction * width);
          stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
          lineOpen = true;
        } else if (Date.now() - lastPlain >= plainIntervalMs) {
          lastPlain = Date.now();
          stream.write(`${text}\n`);
        }
        return;
      }
    }
  };
}
