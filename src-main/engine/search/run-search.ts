import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunEvent } from '../../contract/events.js';
import type { RunResult } from '../../contract/result.js';
import type { ResolvedSearchConfig, SearchConfigInput } from '../../contract/search-config.js';
import { selectBackend } from '../backend/select-backend.js';
import { countParams } from '../derive/build-derived-model.js';
import { derivedReplicaSpec } from '../derive/derived.replica.js';
import { evaluateModel } from '../derive/evaluate.js';
import { baselineReplicaSpec } from '../derive/baseline.replica.js';
import { retrainModel } from '../derive/retrain.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { throttle } from '../util/throttle.js';
import { macroOptionsFor } from './macro-options.js';
import { resolveConfig } from './presets.js';
import { saveDenoisingExamples, saveRunModel } from './run-artifacts.js';
import { throwIfCancelled } from './run-control.js';
import type { RunOptions, RunSearch } from './run-search.types.js';
import { runSearchPhase } from './search-phase.js';
import { loadTaskData } from './task-data.js';

/** Sortable, readable and unique: 20261122-094812-classification-gdas-3fa9. */
export function makeRunId(config: ResolvedSearchConfig, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${config.task}-${config.strategy}-${randomBytes(2).toString('hex')}`;
}

/**
 * Appends events to <runDir>/events.jsonl (the UI and the run store replay it) and forwards them.
 * Step events are thinned to about ten a second; every other event passes.
 */
function eventSink(runDir: string, options: RunOptions): (event: RunEvent) => void {
  const file = path.join(runDir, 'events.jsonl');
  const write = (event: RunEvent) => {
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), ...event })}\n`);
    options.onEvent?.(event);
  };
  const stepEvents = throttle(100, write);
  return (event) => (event.type === 'step' ? stepEvents(event, event.step + 1 === event.stepsPerEpoch) : write(event));
}

/**
 * One whole run: load the data, search, derive the genotype, retrain it from scratch, evaluate it on
 * the held-out test split, and write result.json (atomically: a reader never sees half of it).
 */
export const runSearch: RunSearch = async (input: SearchConfigInput, options: RunOptions) => {
  const config = resolveConfig(input);
  const runId = options.runId ?? makeRunId(config);
  const runDir = path.join(options.outDir, runId);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (error) {
    throw new Error(`${runDir}: cannot create the run folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  writeJsonAtomic(path.join(runDir, 'config.json'), config);
  const emit = eventSink(runDir, options);
  const { signal, pause } = options;

  emit({ type: 'phase', phase: 'loading', message: `data: ${config.data.kind === 'builtin' ? config.data.name : config.data.path}` });
  const backend = await selectBackend();
  const data = await loadTaskData(config);
  emit({ type: 'log', level: 'info', message: `backend ${backend.name}; ${data.train.xShape[0]} training and ${data.test.xShape[0]} test samples` });
  throwIfCancelled(signal);

  emit({ type: 'phase', phase: 'search', message: `${config.strategy} on the ${config.space} space` });
  const macro = macroOptionsFor(config, data.task);
  const search = await runSearchPhase(config, data, macro, { signal, pause, onEvent: emit });

  emit({ type: 'phase', phase: 'retrain', message: search.genotype });
  const retrained = await retrainModel(
    derivedReplicaSpec({ genotype: search.genotype, task: config.task, noise: config.noise, model: { ...macro, seed: config.seed }, learningRate: 2e-3 }),
    data.train,
    { epochs: config.retrainEpochs, batchSize: config.batchSize, seed: config.seed, replicas: config.workers, scoreName: data.task.scoreName, signal, pause, onEvent: emit },
  );

  emit({ type: 'phase', phase: 'evaluate' });
  const denoising = config.task === 'denoising';
  const { metrics, examples } = await evaluateModel(retrained.model, data.task, data.test, { seed: config.seed, keepExamples: denoising ? 4 : 0 });
  const params = countParams(retrained.model);
  await saveRunModel(retrained.model, runDir);
  if (denoising) {
    saveDenoisingExamples(examples, runDir);
    emit({ type: 'log', level: 'info', message: `training the fixed baseline denoiser (about ${params} parameters) with the same budget` });
    const baseline = await retrainModel(baselineReplicaSpec({ noise: config.noise, targetParams: params, learningRate: 2e-3 }), data.train, {
      epochs: config.retrainEpochs,
      batchSize: config.batchSize,
      seed: config.seed,
      replicas: config.workers,
      scoreName: data.task.scoreName,
      signal,
      pause,
    });
    const scored = await evaluateModel(baseline.model, data.task, data.test, { seed: config.seed });
    metrics.psnr_baseline = scored.metrics.psnr;
    metrics.ssim_baseline = scored.metrics.ssim;
    baseline.model.dispose();
  }
  const result: RunResult = {
    runId,
    task: config.task,
    dataset: data.dataset,
    space: config.space,
    strategy: config.strategy,
    preset: config.preset,
    seed: config.seed,
    backend: backend.name,
    genotype: search.genotype,
    params,
    metrics: { test: metrics },
    searchSeconds: search.seconds,
    retrainSeconds: retrained.seconds,
    alphas: search.alphas,
    config,
    genotypeHistory: search.genotypeHistory,
    collapseGuard: search.guard,
    createdAt: new Date().toISOString(),
    nodeVersion: process.version,
  };
  writeJsonAtomic(path.join(runDir, 'result.json'), result);
  retrained.model.dispose();
  emit({ type: 'phase', phase: 'done', message: path.join(runDir, 'result.json') });
  return { ...result, runDir };
};
