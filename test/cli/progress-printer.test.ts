import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-main/contract/events.js';
import { createProgressPrinter } from '../../src-main/cli/progress.js';

function printer(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { print: createProgressPrinter(stream, 0), written };
}

const retrainStep: RunEvent = { type: 'step', phase: 'retrain', epoch: 1, epochs: 2, step: 3, stepsPerEpoch: 10, loss: 0.25, score: 0.9, scoreName: 'accuracy', etaSeconds: 12, imagesPerSecond: 400 };
const wholeRun: RunEvent = { type: 'progress', stage: 'retrain', label: 'retraining the chosen model', fraction: 0.42, etaSeconds: 130, elapsedSeconds: 94, basis: 'measured' };

describe('CLI progress', () => {
  it("prints the whole run's percentage and ETA with the stage named, not the phase's own ETA", () => {
    const { print, written } = printer(false);
    print(retrainStep);
    expect(written).toEqual([]);
    print(wholeRun);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^42% retraining the chosen model · retrain epoch 1\/2, batch loss 0\.2500 accuracy 0\.900, 400 samples\/s · ETA 2m10s\n$/);
  });

  it('draws one rewritten bar on a terminal and says when the figures are rough', () => {
    const { print, written } = printer(true);
    print({ ...wholeRun, fraction: 0.5, stage: 'loading', label: 'loading the data', basis: 'rough' });
    expect(written[0]).toMatch(/^\r\[#{12}-{12}\] 50% loading the data · ETA 2m10s \(rough: nothing timed yet\)/);
  });
});
