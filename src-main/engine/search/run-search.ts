import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunEvent } from '../../contract/events.js';
import type { RunResult, TestMetrics } from '../../contract/result.js';
import type { ResolvedSearchConfig, SearchConfigInput } from '../../contract/search-config.js';
import type { LayersModel } from '@tensorflow/tfjs';
import type { BackendReport } from '../backend/backend.types.js';
import { selectBackend } from '../backend/select-backend.js';
import { backendChoiceOf, backendChoiceWords } from '../backend/backend-choice-words.js';
import { searchWorkload } from './backend-workload.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { subset } from '../data/split.js';
import { Rng } from '../util/rng.js';
import { countParams } from '../derive/build-derived-model.js';
import { derivedReplicaSpec } from '../derive/derived.replica.js';
import { evaluateModel } from '../derive/evaluate.js';
import { trainAndScoreBaseline } from '../derive/baseline-compare.js';
import { BN_RECALIBRATION_BATCHES, retrainModel } from '../derive/retrain.js';
import { openRetrainCheckpoint, retrainFingerprint } from '../derive/retrain-checkpoint.js';
import { classifierRetrainSchedule } from '../derive/retrain-schedule.js';
import { RunRecorder } from '../store/run-recorder.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { throttle } from '../util/throttle.js';
import { loadCheckpoint } from './checkpoint.js';
import { faultsFromEnv } from './faults.js';
import { runLatency, type RunLatency } from './latency.js';
import { targetReport } from '../targets/target-report.js';
import { readWeightsToHost } from '../export/export-graph.js';
import { macroOptionsFor } from './macro-options.js';
import type { MacroOptions } from '../space/macro.js';
import type { Task } from '../tasks/task.types.js';
import { resolveConfig } from './presets.js';
import { saveDenoisingExamples, saveRunModel } from './run-artifacts.js';
import { RunCancelledError, throwIfCancelled } from './run-control.js';
import type { RunOptions, RunSearch } from './run-search.types.js';
import { runSearchPhase, type SearchPhaseResult } from './search-phase.js';
import { loadTaskData } from './task-data.js';
import { createRunProgress, type RunProgress } from '../progress/run-progress.js';
import { runMachine } from '../hardware/run-machine.js';

/** Denoisers (searched and baseline alike) retrain with a cosine from 2e-3: the best measured (docs/presets.md). */
export const DENOISING_RETRAIN_LR = 2e-3;

/** The retraining set: all of `train`, or a seeded random subset of `samples` of it. */
export function retrainSubset(train: ArrayDataset, samples: number, seed: number): ArrayDataset {
  const n = train.xShape[0];
  if (samples <= 0 || samples >= n) return train;
  const picked = Array.from(new Rng(seed ^ 0x7e7a1).permutation(n).subarray(0, samples)).sort((a, b) => a - b);
  return subset(train, picked, `${train.name} · ${samples} for retraining`);
}

/** Validation metrics without the confusion matrix (result.json keeps the test split's). */
function withoutConfusion(metrics: TestMetrics): TestMetrics {
  const { confusion: _confusion, ...rest } = metrics;
  return rest;
}

/** Sortable, readable and unique: 20261122-094812-classification-gdas-3fa9. */
export function makeRunId(config: ResolvedSearchConfig, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${config.task}-${config.strategy}-${randomBytes(2).toString('hex')}`;
}

/**
 * Appends events to <runDir>/events.jsonl (the UI and the run store replay it) and forwards them.
 * Step events are thinned to about ten a second; every other event passes.
 */
function eventSink(runDir: string, options: RunOptions, record: (event: RunEvent) => void): (event: RunEvent) => void {
  const file = path.join(runDir, 'events.jsonl');
  const write = (event: RunEvent) => {
    try {
      appendFileSync(file, `${JSON.stringify({ t: Date.now(), ...event })}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`${file}: could not be written (${code === 'ENOSPC' ? 'the disk is full' : (code ?? (error as Error).message)}).`, { cause: error });
    }
    record(event);
    options.onEvent?.(event);
  };
  const stepEvents = throttle(100, write);
  // Events number steps from 1: an epoch's last step always passes, so every epoch ends on a point.
  return (event) => (event.type === 'step' ? stepEvents(event, event.step === event.stepsPerEpoch) : write(event));
}

/** A new run: its folder and config.json. */
function createRunFolder(input: SearchConfigInput, options: RunOptions): { config: ResolvedSearchConfig; runId: string; runDir: string } {
  const config = resolveConfig(input);
  const runId = options.runId ?? makeRunId(config);
  const runDir = path.join(options.outDir, runId);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (error) {
    throw new Error(`${runDir}: cannot create the run folder (${whyNotCreated(runDir, error as NodeJS.ErrnoException)}).`, { cause: error });
  }
  writeJsonAtomic(path.join(runDir, 'config.json'), config);
  return { config, runId, runDir };
}

/**
 * The real reason a folder could not be made, in words: a recursive mkdir reports ENOENT on a
 * read-only file system, so retry the first missing level alone to get the true code.
 */
function whyNotCreated(dir: string, error: NodeJS.ErrnoException): string {
  let code = error.code;
  let missing = dir;
  while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
  try {
    mkdirSync(missing);
    rmSync(missing, { recursive: true, force: true });
  } catch (retry) {
    code = (retry as NodeJS.ErrnoException).code ?? code;
  }
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `the folder is not writable: ${code}`;
  if (code === 'ENOTDIR') return 'a file is in the way: ENOTDIR';
  return code ?? error.message;
}

/** A run to continue: its folder must hold config.json (the config it started with wins) and no result.json. */
function openRunFolder(options: RunOptions): { config: ResolvedSearchConfig; runId: string; runDir: string } {
  if (!options.runId) throw new Error('resume: the run id is missing.');
  const runDir = path.join(options.outDir, options.runId);
  const configFile = path.join(runDir, 'config.json');
  if (existsSync(path.join(runDir, 'result.json'))) throw new Error(`${runDir}: the run already finished (result.json exists); nothing to resume.`);
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new Error(`${configFile}: cannot read the run's config (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  return { config: resolveConfig(saved as SearchConfigInput), runId: options.runId, runDir };
}

function folderBytes(dir: string): number {
  try {
    return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isFile() ? statSync(path.join(dir, e.name)).size : 0), 0);
  } catch {
    return 0;
  }
}

/**
 * The run store keeps the machine profile the run ran on: the saved one of this machine and backend,
 * else one built without the ~10 s micro-benchmarks. In the background; a failure leaves the basic facts.
 */
function recordMachineProfile(recorder: RunRecorder): Promise<void> {
  return import('../hardware/machine-profile.js')
    .then(({ getMachineProfile }) => getMachineProfile({ bench: false }))
    .then((profile) => recorder.hardware(profile))
    .catch(() => undefined);
}

/** The search result, kept so a resumed run whose search had finished goes straight to retraining. */
const searchResultFile = (runDir: string) => path.join(runDir, 'search.json');

/**
 * One whole run: load the data, search, derive the genotype, retrain it from scratch, evaluate it on
 * the held-out test split, and write result.json (atomically: a reader never sees half of it).
 * Recorded in the run store; checkpointed after every search epoch; `resume` continues a stopped run.
 */
export const runSearch: RunSearch = async (input: SearchConfigInput, options: RunOptions) => {
  const resuming = options.resume === true;
  const { config, runId, runDir } = resuming ? openRunFolder(options) : createRunFolder(input, options);
  const checkpoint = resuming ? loadCheckpoint(runDir) : undefined;
  const searched = resuming && existsSync(searchResultFile(runDir)) ? (JSON.parse(readFileSync(searchResultFile(runDir), 'utf8')) as SearchPhaseResult) : undefined;
  const retrain = searched ? openRetrainCheckpoint(runDir, retrainFingerprint({ config, genotype: searched.genotype })) : {};
  // Store warnings go out as 'log' events once the event sink exists; the first ones wait for it.
  const warnings: string[] = [];
  const later: { warn?: (message: string) => void } = {};
  const recorder = RunRecorder.start({
    store: options.store,
    runId,
    runDir,
    config,
    hardware: { platform: process.platform, arch: process.arch, cpus: os.availableParallelism(), memoryBytes: os.totalmem(), node: process.version },
    // Events count epochs from 1; a checkpoint's epoch is the number finished, so its next epoch's events are numbered epoch + 1.
    resume: resuming ? (searched ? { phase: 'retrain', fromEpoch: (retrain.checkpoint?.epoch ?? 0) + 1 } : { phase: 'search', fromEpoch: (checkpoint?.epoch ?? 0) + 1 }) : undefined,
    warn: (message) => (later.warn ? later.warn(message) : warnings.push(message)),
  });
  const sink = eventSink(runDir, options, recorder.onEvent);
  // The whole run's bar and ETA (engine/progress): it reads every event and adds 'progress' events.
  const progress = createRunProgress(config, { emit: sink, tickMs: 1000, calibrate: true });
  const emit = (event: RunEvent): void => {
    sink(event);
    progress.observe(event);
  };
  later.warn = (message) => emit({ type: 'log', level: 'warn', message });
  for (const message of warnings.splice(0)) later.warn(message);
  try {
    const result = await runPipeline(config, runId, runDir, options, emit, recorder, { checkpoint, searched, retrain }, progress);
    recorder.done({ metrics: result.metrics, genotype: result.genotype, params: result.params });
    return result;
  } catch (error) {
    recorder.failed(error);
    // The run folder says why it stopped (the Results view reads it when there is no result.json).
    const cancelled = error instanceof RunCancelledError;
    try {
      sink({ type: 'log', level: cancelled ? 'warn' : 'error', message: cancelled ? 'the run was cancelled' : (error instanceof Error ? error.message : String(error)) });
    } catch {
      // the events file itself could not be written: nothing more to keep
    }
    throw error;
  } finally {
    progress.stop();
    recorder.close();
  }
};

/**
 * runLatency for result.json, or undefined (with a log line saying why): not on an emulated GPU, whose timings
 * would describe the emulator (and whose latency table alone takes many minutes), nor when measuring fails.
 */
async function measuredLatency(
  config: ResolvedSearchConfig,
  task: Task,
  macro: MacroOptions,
  genotype: string,
  model: LayersModel,
  backend: BackendReport,
  options: { signal?: AbortSignal; emit: (event: RunEvent) => void },
): Promise<RunLatency | undefined> {
  const { signal, emit } = options;
  if (backend.emulated) {
    emit({ type: 'log', level: 'info', message: `latency not measured: ${backend.name} runs on ${backend.adapter ?? 'an adapter'}, a GPU emulated on the processor, whose timings describe the emulator` });
    return undefined;
  }
  return runLatency(config, task, macro, genotype, model, { signal }).catch((error: unknown) => {
    if (signal?.aborted) throw error;
    emit({ type: 'log', level: 'warn', message: `latency not measured: ${(error as Error).message}` });
    return undefined;
  });
}

async function runPipeline(
  config: ResolvedSearchConfig,
  runId: string,
  runDir: string,
  options: RunOptions,
  emit: (event: RunEvent) => void,
  recorder: RunRecorder,
  from: { checkpoint?: Awaited<ReturnType<typeof loadCheckpoint>>; searched?: SearchPhaseResult; retrain?: ReturnType<typeof openRetrainCheckpoint> },
  progress: RunProgress,
): Promise<RunResult & { runDir: string }> {
  const { signal, pause } = options;
  if (from.searched) emit({ type: 'log', level: 'info', message: 'resumed: the search had finished; retraining its genotype' });
  else if (from.checkpoint) emit({ type: 'log', level: 'info', message: `resumed from the checkpoint after search epoch ${from.checkpoint.epoch} of ${config.epochs}` });
  else if (options.resume) emit({ type: 'log', level: 'info', message: 'resumed: no checkpoint was written yet, so the search starts over' });
  if (from.retrain?.problem) emit({ type: 'log', level: 'warn', message: from.retrain.problem });

  emit({ type: 'phase', phase: 'loading', message: `data: ${config.data.kind === 'builtin' ? config.data.name : config.data.path}` });
  const data = await loadTaskData(config);
  // Chosen by timing a training step of this run's model on each backend that loads (cached per machine and shape).
  const backend = await selectBackend({ workload: searchWorkload(config, data) });
  const profileRecorded = recordMachineProfile(recorder);
  emit({ type: 'log', level: 'info', message: `backend ${backend.name}${backend.adapter ? ` (${backend.adapter})` : ''}, ${backendChoiceWords(backend)}; ${data.train.xShape[0]} training and ${data.test.xShape[0]} test samples` });
  progress.sizes({ train: data.train.xShape[0], validation: data.validation.xShape[0], test: data.test.xShape[0] });
  throwIfCancelled(signal);

  const macro = macroOptionsFor(config, data.task);
  let search = from.searched;
  if (!search) {
    emit({ type: 'phase', phase: 'search', message: `${config.strategy} on the ${config.space} space` });
    search = await runSearchPhase(config, data, macro, {
      signal,
      pause,
      onEvent: emit,
      runDir,
      resume: from.checkpoint,
      faults: options.faults ?? faultsFromEnv(),
      onCheckpoint: (saved) => recorder.checkpoint(saved.data, saved.bytes),
      onRollback: (epochsKept) => recorder.rollback(epochsKept + 1),
    });
    writeJsonAtomic(searchResultFile(runDir), search);
  }

  emit({ type: 'phase', phase: 'retrain', message: search.genotype });
  const denoising = config.task === 'denoising';
  const schedule = denoising ? { learningRate: DENOISING_RETRAIN_LR } : classifierRetrainSchedule(config.batchSize);
  const retrainData = retrainSubset(data.train, config.retrainSamples, config.seed);
  // One budget for the searched model and the fixed baseline it is compared with.
  // Both end by re-estimating batch-norm statistics for their final weights (a short retraining leaves them lagging).
  const budget = { epochs: config.retrainEpochs, batchSize: config.batchSize, seed: config.seed, replicas: config.workers, scoreName: data.task.scoreName, signal, pause, recalibrateBatchNorm: BN_RECALIBRATION_BATCHES };
  const retrained = await retrainModel(
    derivedReplicaSpec({ genotype: search.genotype, task: config.task, noise: config.noise, model: { ...macro, seed: config.seed }, ...schedule }),
    retrainData,
    {
      ...budget,
      onEvent: emit,
      // Checkpointed after every epoch; a resume continues after the last one (docs/run-store.md).
      checkpoint: { runDir, fingerprint: retrainFingerprint({ config, genotype: search.genotype }), resume: from.retrain?.checkpoint },
    },
  );

  emit({ type: 'phase', phase: 'evaluate' });
  // Validation first (what choices were made on), then the test split, read once, here.
  const { metrics: validationMetrics } = await evaluateModel(retrained.model, data.task, data.validation, { seed: config.seed + 1 });
  const { metrics, examples } = await evaluateModel(retrained.model, data.task, data.test, { seed: config.seed, keepExamples: denoising ? 4 : 0 });
  const params = countParams(retrained.model);
  const modelDir = await saveRunModel(retrained.model, runDir);
  // HAR: the rate, window and normalisation the model's input needs travel with the model (docs/your-data.md).
  if (data.har) writeJsonAtomic(path.join(modelDir, 'preprocessing.json'), data.har);
  recorder.artifact('model', modelDir, folderBytes(modelDir));
  if (denoising) for (const file of saveDenoisingExamples(examples, runDir)) recorder.artifact('image', file, statSync(file).size);
  // A fixed architecture of about the same size, trained on the same subset with the same schedule and budget.
  progress.enter('baseline');
  const baseline = await trainAndScoreBaseline({ task: data.task, noise: config.noise, targetParams: params, ...schedule, train: retrainData, test: data.test, budget, onEvent: emit });
  if (denoising) {
    metrics.psnr_baseline = baseline.metrics.psnr;
    metrics.ssim_baseline = baseline.metrics.ssim;
  }
  // Batch-1 latency of the retrained model, measured and as this machine's latency table predicts it.
  progress.enter('latency');
  const latency = await measuredLatency(config, data.task, macro, search.genotype, retrained.model, backend, { signal, emit });
  // What the int8 model needs on the target device, beside its limits (estimates: docs/targets.md).
  await readWeightsToHost(retrained.model);
  const device = targetReport(config.target, retrained.model, search.targetAdjustments);
  if (!device.fit.fits) emit({ type: 'log', level: 'warn', message: `The model does not fit ${device.target.name} (arena ${device.fit.arenaBytes} B, flash ${device.fit.flashBytes} B).` });
  const result: RunResult = {
    runId,
    task: config.task,
    dataset: data.dataset,
    space: config.space,
    strategy: config.strategy,
    preset: config.preset,
    seed: config.seed,
    backend: backend.name,
    ...(backend.adapter ? { backendAdapter: backend.adapter } : {}),
    backendChoice: backendChoiceOf(backend),
    genotype: search.genotype,
    params,
    metrics: { test: metrics, validation: withoutConfusion(validationMetrics) },
    searchSeconds: search.seconds,
    retrainSeconds: retrained.seconds,
    alphas: search.alphas,
    config,
    genotypeHistory: search.genotypeHistory,
    collapseGuard: search.guard,
    ...(search.decision ? { decision: search.decision } : {}),
    baseline: { name: baseline.name, params: baseline.params, metrics: { test: baseline.metrics } },
    ...(latency ? { latency } : {}),
    ...device,
    ...(data.har ? { har: data.har } : {}),
    machine: runMachine(backend.name),
    createdAt: new Date().toISOString(),
    nodeVersion: process.version,
  };
  writeJsonAtomic(path.join(runDir, 'result.json'), result);
  retrained.model.dispose();
  await profileRecorded;
  emit({ type: 'phase', phase: 'done', message: path.join(runDir, 'result.json') });
  return { ...result, runDir };
}
