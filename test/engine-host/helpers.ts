import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src-main/contract/result.js';
import type { RunOptions, RunSearch } from '../../src-main/engine/search/run-search.types.js';
import { throwIfCancelled } from '../../src-main/engine/search/run-control.js';

export function tempRunsDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'nas-runs-'));
}

export function sampleResult(runId: string, overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId,
    task: 'classification',
    dataset: 'mnist',
    space: 'darts',
    strategy: 'gdas',
    preset: 'quick',
    seed: 0,
    backend: 'cpu',
    genotype: "Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], reduce=[('max_pool_3x3', 0)], reduce_concat=[2])",
    params: 1234,
    metrics: { test: { accuracy: 0.91 } },
    searchSeconds: 1,
    retrainSeconds: 1,
    alphas: {} as RunResult['alphas'],
    config: {} as RunResult['config'],
    genotypeHistory: [],
    collapseGuard: { method: 'none', triggered: false },
    createdAt: '2026-11-22T10:00:00.000Z',
    nodeVersion: process.version,
    ...overrides,
  };
}

export function writeRunFolder(runsDir: string, runId: string, result?: RunResult, eventsJsonl?: string): string {
  const dir = path.join(runsDir, runId);
  mkdirSync(dir, { recursive: true });
  if (result) writeFileSync(path.join(dir, 'result.json'), JSON.stringify(result));
  if (eventsJsonl !== undefined) writeFileSync(path.join(dir, 'events.jsonl'), eventsJsonl);
  return dir;
}

/**
 * A stand-in for the engine's runSearch with the same contract: it emits a phase, `steps` step events
 * as fast as it can, an epoch, honours pause and cancel between steps, and writes result.json.
 */
export function fakeRunSearch(steps = 50, stepDelayMs = 0): RunSearch & { started: string[] } {
  const started: string[] = [];
  const run = async (_config: unknown, options: RunOptions) => {
    const runId = options.runId ?? 'generated';
    started.push(runId);
    options.onEvent?.({ type: 'phase', phase: 'search' });
    for (let step = 0; step < steps; step++) {
      await options.pause?.whenRunning(options.signal);
      throwIfCancelled(options.signal);
      options.onEvent?.({ type: 'step', phase: 'search', epoch: 0, epochs: 1, step, stepsPerEpoch: steps, loss: 1 / (step + 1), score: step / steps, scoreName: 'accuracy', etaSeconds: 1, imagesPerSecond: 100 });
      await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
    }
    options.onEvent?.({ type: 'epoch', phase: 'search', epoch: 0, epochs: 1, trainLoss: 0.5, trainScore: 0.8 });
    options.onEvent?.({ type: 'phase', phase: 'done' });
    const result = sampleResult(runId);
    const runDir = writeRunFolder(options.outDir, runId, result);
    return { ...result, runDir };
  };
  return Object.assign(run, { started });
}
