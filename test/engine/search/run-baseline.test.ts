import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import type { RunResult } from '../../../src-main/contract/result.js';
import { runSearch } from '../../../src-main/engine/search/run-search.js';
import { writeTinyImageFolder } from '../../cli/cli-harness.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-run-baseline-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runSearch: every result stands beside a fixed baseline', () => {
  it('result.json carries the baseline, sized like the searched model, with the keys of metrics.test', async () => {
    const data = writeTinyImageFolder(path.join(root, 'data'), 12);
    const events: RunEvent[] = [];
    const input = { data: { kind: 'path' as const, path: data }, space: 'nb201' as const, strategy: 'darts' as const, epochs: 1, retrainEpochs: 1, batchSize: 4, channels: 4, cells: 1, workers: 1, seed: 1 };
    const run = await runSearch(input, { outDir: root, store: 'none', onEvent: (e) => events.push(e) });
    const result = JSON.parse(readFileSync(path.join(run.runDir, 'result.json'), 'utf8')) as RunResult;
    expect(result.baseline).toBeDefined();
    const baseline = result.baseline!;
    expect(baseline.name).toMatch(/^MobileNet-style CNN \(depthwise-separable, \d+–\d+ channels\)$/);
    expect(Math.abs(baseline.params - result.params) / result.params).toBeLessThan(0.2);
    expect(Object.keys(baseline.metrics.test).sort()).toEqual(Object.keys(result.metrics.test).sort());
    expect(baseline.metrics.test.accuracy).toBeGreaterThanOrEqual(0);
    // Announced, and its steps marked as the baseline's, after the searched model's evaluation.
    const announced = events.findIndex((e) => e.type === 'log' && e.message.includes(baseline.name));
    expect(announced).toBeGreaterThan(events.findIndex((e) => e.type === 'phase' && e.phase === 'evaluate'));
    const baselineSteps = events.filter((e) => e.type === 'step' && e.model === 'baseline');
    expect(baselineSteps.length).toBeGreaterThan(0);
    expect(events.indexOf(baselineSteps[0])).toBeGreaterThan(announced);
    // Retraining epochs are the searched model's alone.
    expect(events.filter((e) => e.type === 'epoch' && e.phase === 'retrain').map((e) => e.type === 'epoch' && e.epoch)).toEqual([1]);
  }, 180_000);
});
