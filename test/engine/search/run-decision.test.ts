import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src-main/contract/events.js';
import type { RunResult } from '../../../src-main/contract/result.js';
import { runSearch } from '../../../src-main/engine/search/run-search.js';
import { writeTinyImageFolder } from '../../cli/cli-harness.js';

let root: string;
let data: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'nas-run-decision-'));
  data = writeTinyImageFolder(path.join(root, 'data'), 24);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = { space: 'nb201' as const, retrainEpochs: 1, batchSize: 4, channels: 4, cells: 1, workers: 1, seed: 1 };
const read = (runDir: string) => JSON.parse(readFileSync(path.join(runDir, 'result.json'), 'utf8')) as RunResult;

describe('runSearch: how decided the search was', () => {
  it('the default search ranks and races, and result.json holds its decision and the validation metrics', async () => {
    const events: RunEvent[] = [];
    const run = await runSearch({ data: { kind: 'path', path: data }, ...tiny, candidates: 5, raceSize: 3, raceSamples: 8 }, { outDir: root, store: 'none', onEvent: (e) => events.push(e) });
    const result = read(run.runDir);
    expect(result.strategy).toBe('rank-race');
    const decision = result.decision!;
    expect(decision.method).toBe('rank-race');
    if (decision.method !== 'rank-race') return;
    expect(decision.sampled).toBe(5);
    expect(decision.winner).toBe(result.genotype);
    expect(decision.race.some((r) => r.genotype === result.genotype && r.rung === 1)).toBe(true);
    expect(decision.message.length).toBeGreaterThan(20);
    // Choices were made on the validation split; its metrics are reported beside the test split's.
    expect(result.metrics.validation?.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.metrics.test.accuracy).toBeGreaterThanOrEqual(0);
    // The chosen cell is in `alphas` as one-hot rows.
    expect(result.alphas.normal.every((row) => row.filter((p) => p === 1).length === 1)).toBe(true);
    expect(events.some((e) => e.type === 'decision' && e.decision.method === 'rank-race' && e.decision.final)).toBe(true);
  }, 180_000);

  it('--search-samples bounds the images every race round trains on', async () => {
    const run = await runSearch({ data: { kind: 'path', path: data }, ...tiny, candidates: 4, raceSize: 3, raceSamples: 16, searchSamples: 6 }, { outDir: root, store: 'none' });
    const decision = read(run.runDir).decision!;
    if (decision.method !== 'rank-race') throw new Error(`expected a rank-race decision, got ${decision.method}`);
    expect(decision.race.map((r) => r.samples)).toEqual([6, 6, 6, 6, 6]);
  }, 180_000);

  it('a gradient search reports every chosen edge with its lead over the runner-up', async () => {
    const events: RunEvent[] = [];
    const run = await runSearch({ data: { kind: 'path', path: data }, ...tiny, strategy: 'gdas', epochs: 2 }, { outDir: root, store: 'none', onEvent: (e) => events.push(e) });
    const decision = read(run.runDir).decision!;
    expect(decision.method).toBe('gradient');
    if (decision.method !== 'gradient') return;
    expect(decision.totalEdges).toBe(6);
    expect(decision.edges.every((e) => e.margin >= 0 && e.probability <= 1)).toBe(true);
    expect(['decided', 'partly', 'undecided']).toContain(decision.verdict);
    expect(events.filter((e) => e.type === 'decision')).toHaveLength(2);
  }, 180_000);
});
