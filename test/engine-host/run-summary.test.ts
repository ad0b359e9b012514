import { describe, expect, it } from 'vitest';
import { readRunDetails, readRunSummary } from '../../src-main/engine-host/run-folders.js';
import { sampleResult, tempRunsDir, writeRunFolder } from './helpers.js';

const lines = (...events: object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const start = Date.parse('2026-11-22T09:40:00.000Z');

describe('run summaries read from run folders', () => {
  it('"Started" is when the run started (its first event), not when result.json was written', async () => {
    const runsDir = tempRunsDir();
    writeRunFolder(runsDir, 'r1', sampleResult('r1', { createdAt: '2026-11-22T10:00:00.000Z' }), lines({ t: start, type: 'phase', phase: 'loading' }, { t: start + 1_200_000, type: 'phase', phase: 'done' }));
    expect((await readRunSummary(runsDir, 'r1')).createdAt).toBe('2026-11-22T09:40:00.000Z');
    expect((await readRunDetails(runsDir, 'r1'))!.summary.createdAt).toBe('2026-11-22T09:40:00.000Z');
  });

  it('a failed run says why it stopped, from the error it logged last', async () => {
    const runsDir = tempRunsDir();
    writeRunFolder(runsDir, 'r2', undefined, lines({ t: start, type: 'phase', phase: 'loading' }, { t: start + 10, type: 'log', level: 'error', message: 'Retraining diverged: the loss became NaN at epoch 2, step 7.' }));
    const summary = await readRunSummary(runsDir, 'r2');
    expect(summary).toMatchObject({ status: 'failed', error: 'Retraining diverged: the loss became NaN at epoch 2, step 7.', createdAt: '2026-11-22T09:40:00.000Z' });
  });

  it('a cancelled run is cancelled, and a killed one says where it was and how to continue', async () => {
    const runsDir = tempRunsDir();
    writeRunFolder(runsDir, 'r3', undefined, lines({ t: start, type: 'phase', phase: 'search' }, { t: start + 5, type: 'log', level: 'warn', message: 'the run was cancelled' }));
    expect(await readRunSummary(runsDir, 'r3')).toMatchObject({ status: 'cancelled' });
    writeRunFolder(runsDir, 'r4', undefined, lines({ t: start, type: 'phase', phase: 'search' }, { t: start + 5, type: 'phase', phase: 'retrain' }, { t: start + 9, type: 'log', level: 'info', message: 'x' }));
    const killed = await readRunSummary(runsDir, 'r4');
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/^stopped during the retrain phase at .+ with no error recorded: the app or process was closed or killed \(nas-studio resume r4 continues it\)$/);
    expect(killed.error).not.toMatch(/result\.json/);
  });
});
