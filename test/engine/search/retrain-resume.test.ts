import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import type { SearchConfigInput } from '../../../src-main/contract/search-config.js';
import { retrainCheckpointFile } from '../../../src-main/engine/derive/retrain-checkpoint.js';
import { loadCheckpoint } from '../../../src-main/engine/search/checkpoint.js';
import { RunCancelledError } from '../../../src-main/engine/search/run-control.js';
import { runSearch } from '../../../src-main/engine/search/run-search.js';
import { writeTinyImageFolder } from '../../cli/cli-harness.js';

let root: string;
let input: SearchConfigInput;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-retrain-resume-'));
  const data = writeTinyImageFolder(path.join(root, 'data'), 24);
  input = { data: { kind: 'path', path: data }, space: 'nb201', strategy: 'darts', epochs: 1, retrainEpochs: 2, batchSize: 4, channels: 4, cells: 2, workers: 1, seed: 1 };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const modelBytes = (runDir: string) => {
  const dir = path.join(runDir, 'model');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => readFileSync(path.join(dir, f)));
};
const messages = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'log' ? [`${e.level}: ${e.message}`] : []));
const retrainEpochs = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'epoch' && e.phase === 'retrain' ? [e.epoch] : []));

describe('runSearch: a run cancelled during retraining resumes after the last finished retraining epoch', () => {
  it('ends with the same model and metrics as a run that never stopped', async () => {
    const a = await runSearch(input, { outDir: path.join(root, 'a'), store: 'none' });

    const outB = path.join(root, 'b');
    const controller = new AbortController();
    const stopped = runSearch(input, {
      outDir: outB,
      runId: 'run-b',
      store: 'none',
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'epoch' && e.phase === 'retrain' && e.epoch === 1) controller.abort();
      },
    });
    await expect(stopped).rejects.toBeInstanceOf(RunCancelledError);
    const runDir = path.join(outB, 'run-b');
    expect(existsSync(path.join(runDir, 'result.json'))).toBe(false);
    expect(loadCheckpoint(path.join(runDir, 'retrain'))).toMatchObject({ phase: 'retrain', epoch: 1 });
    // The search's own checkpoint is still the search's.
    expect(loadCheckpoint(runDir)).toMatchObject({ phase: 'search', epoch: 1 });

    const events: RunEvent[] = [];
    const b = await runSearch({}, { outDir: outB, runId: 'run-b', store: 'none', resume: true, onEvent: (e) => events.push(e) });
    expect(messages(events)).toEqual(expect.arrayContaining(['info: resumed: the search had finished; retraining its genotype', 'info: resumed retraining after epoch 1 of 2']));
    expect(retrainEpochs(events)).toEqual([2]);
    expect(b.genotype).toBe(a.genotype);
    expect(b.metrics).toEqual(a.metrics);
    // Bit-identical saved weights (one worker).
    const [weightsA, weightsB] = [modelBytes(a.runDir), modelBytes(b.runDir)];
    expect(weightsA.length).toBeGreaterThan(0);
    expect(Buffer.concat(weightsB).equals(Buffer.concat(weightsA))).toBe(true);
    expect(loadCheckpoint(path.join(runDir, 'retrain'))!.epoch).toBe(2);
  }, 240_000);

  it('a damaged retraining checkpoint is named in one warning and retraining starts over', async () => {
    const out = path.join(root, 'c');
    const controller = new AbortController();
    await expect(
      runSearch(input, {
        outDir: out,
        runId: 'run-c',
        store: 'none',
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.phase === 'retrain') controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(RunCancelledError);
    const manifest = retrainCheckpointFile(path.join(out, 'run-c'));
    rmSync(path.join(path.dirname(manifest), readdirSync(path.dirname(manifest)).find((f) => f.endsWith('.bin'))!));
    const events: RunEvent[] = [];
    await runSearch({}, { outDir: out, runId: 'run-c', store: 'none', resume: true, onEvent: (e) => events.push(e) });
    const warnings = messages(events).filter((m) => m.includes('retraining starts over'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warn: \S+retrain-epoch-0001-step-\d+\.bin: the checkpoint's data file cannot be read \(ENOENT\); retraining starts over\.$/);
    expect(retrainEpochs(events)).toEqual([1, 2]);
  }, 240_000);
});
