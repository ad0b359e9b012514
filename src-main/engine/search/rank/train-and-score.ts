import type { ArrayDataset } from '../../data/dataset.types.js';
import { countParams, type DerivedModelOptions } from '../../derive/build-derived-model.js';
import { derivedReplicaSpec } from '../../derive/derived.replica.js';
import { evaluateModel } from '../../derive/evaluate.js';
import { retrainModel } from '../../derive/retrain.js';
import { classifierRetrainSchedule } from '../../derive/retrain-schedule.js';
import type { PauseGate } from '../run-control.js';
import type { Task } from '../../tasks/task.types.js';
import type { SearchConfig } from '../../../contract/search-config.js';

/** How much training a candidate gets before it is scored: the race's rungs and the benchmarks' ground truth. */
export interface ScoreBudget {
  epochs: number;
  batchSize: number;
  /** Training images, taken in order from the training set given (callers shuffle it once). */
  samples: number;
  /** Seeds the initial weights and the batch order. */
  seed: number;
  replicas: number;
  /** Denoisers' learning rate (classifiers use the one-cycle schedule of their batch size). */
  learningRate?: number;
  /** Re-estimates batch norm's moving statistics on this many training batches after training (retrain.ts). */
  recalibrateBatchNorm?: number;
  signal?: AbortSignal;
  pause?: PauseGate;
}

export interface CandidateScore {
  genotype: string;
  /** The task's validation score, higher is better: accuracy for classifiers, PSNR in dB for denoisers. */
  score: number;
  loss: number;
  params: number;
  seconds: number;
  /** Images per second of its training steps alone (the whole-run ETA's measure of this machine). */
  imagesPerSecond: number;
}

/** What a candidate is trained and scored on: the training split, the validation split and the task. */
export interface ScoringData {
  train: ArrayDataset;
  validation: ArrayDataset;
  task: Task;
  noise?: SearchConfig['noise'];
}

/** The task's "higher is better" figure of a metrics object. */
export function validationScore(task: Task, metrics: { accuracy?: number; psnr?: number }): number {
  return (task.kind === 'denoising' ? metrics.psnr : metrics.accuracy) ?? Number.NaN;
}

/**
 * Trains a genotype's derived model from scratch on the first `budget.samples` training images and scores
 * it on the validation split: the one measurement behind the race and the search-quality ground truth.
 */
export async function trainAndScore(
  genotype: string,
  data: ScoringData,
  model: DerivedModelOptions,
  budget: ScoreBudget,
): Promise<CandidateScore> {
  const started = performance.now();
  const n = Math.min(budget.samples, data.train.xShape[0]);
  const train = prefixOf(data.train, n);
  const schedule = data.task.kind === 'denoising' ? { learningRate: budget.learningRate ?? 2e-3 } : classifierRetrainSchedule(budget.batchSize);
  const spec = derivedReplicaSpec({ genotype, task: data.task.kind, noise: data.noise, model: { ...model, seed: budget.seed }, ...schedule });
  const trained = await retrainModel(spec, train, {
    epochs: budget.epochs,
    batchSize: Math.min(budget.batchSize, n),
    seed: budget.seed,
    replicas: budget.replicas,
    scoreName: data.task.scoreName,
    recalibrateBatchNorm: budget.recalibrateBatchNorm,
    signal: budget.signal,
    pause: budget.pause,
  });
  try {
    const { metrics } = await evaluateModel(trained.model, data.task, data.validation, { seed: budget.seed });
    return {
      genotype,
      score: validationScore(data.task, metrics),
      loss: metrics.loss ?? Number.NaN,
      params: countParams(trained.model),
      seconds: (performance.now() - started) / 1000,
      imagesPerSecond: trained.samplesPerSecond,
    };
  } finally {
    trained.model.dispose();
  }
}

/** The first n samples (all of them when there are fewer), without copying. */
export function prefixOf(ds: ArrayDataset, n: number): ArrayDataset {
  if (n >= ds.xShape[0]) return ds;
  const size = ds.xShape.slice(1).reduce((a, b) => a * b, 1);
  return {
    ...ds,
    x: ds.x.subarray(0, n * size),
    y: ds.y.subarray(0, n),
    xShape: [n, ...ds.xShape.slice(1)],
    ...(ds.subjects ? { subjects: ds.subjects.subarray(0, n) } : {}),
  };
}
