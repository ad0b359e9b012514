import type { RunEventListener } from '../../contract/events.js';
import type { TestMetrics } from '../../contract/result.js';
import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import type { Task } from '../tasks/task.types.js';
import { baselineArchitecture } from './baseline-models.js';
import { baselineReplicaSpec } from './baseline.replica.js';
import { countParams } from './build-derived-model.js';
import { evaluateModel } from './evaluate.js';
import { retrainModel, type RetrainOptions } from './retrain.js';

export interface BaselineScore {
  /** The architecture in words, e.g. "MobileNet-style CNN (depthwise-separable, width 14)". */
  name: string;
  /** Trainable parameters, counted as the searched model's are. */
  params: number;
  /** The test metrics evaluateModel gives the searched model, with the same keys. */
  metrics: TestMetrics;
  seconds: number;
}

/**
 * The baseline's training events for the run's listener: its steps marked `model: 'baseline'` (the
 * progress bar and ETA move; the searched model's curves and stored steps stay its own), its logs; its
 * epochs stay out, since 'retrain' epochs are the searched model's.
 */
function baselineEvents(onEvent: RunEventListener): RunEventListener {
  return (event) => {
    if (event.type === 'epoch') return;
    onEvent(event.type === 'step' ? { ...event, model: 'baseline' } : event);
  };
}

/**
 * Trains the task's fixed baseline (baseline-models.ts) at about the searched model's parameter count with
 * the searched model's budget object (epochs, batch, seed, workers; the caller passes the same training
 * subset and learning-rate schedule), and scores it on the same test split with the same evaluation seed.
 * One place for the run (run-search.ts) and the benchmark (bench/denoiser-baseline.bench.ts), so both compare alike.
 */
export async function trainAndScoreBaseline(args: {
  task: Task;
  noise?: SearchConfig['noise'];
  targetParams: number;
  learningRate: number;
  warmupFraction?: number;
  train: ArrayDataset;
  test: ArrayDataset;
  budget: RetrainOptions;
  /** Gets a 'log' event before training and the baseline's step events. */
  onEvent?: RunEventListener;
}): Promise<BaselineScore> {
  const { budget, task, targetParams, onEvent } = args;
  const { name } = baselineArchitecture(task, targetParams);
  onEvent?.({ type: 'log', level: 'info', message: `training the fixed baseline, a ${name} of about ${targetParams} parameters, with the same budget` });
  const spec = baselineReplicaSpec({ task: task.kind, noise: args.noise, targetParams, learningRate: args.learningRate, warmupFraction: args.warmupFraction, seed: budget.seed });
  const baseline = await retrainModel(spec, args.train, { ...budget, onEvent: onEvent && baselineEvents(onEvent), checkpoint: undefined });
  try {
    const { metrics } = await evaluateModel(baseline.model, task, args.test, { seed: budget.seed });
    return { name, params: countParams(baseline.model), metrics, seconds: baseline.seconds };
  } finally {
    baseline.model.dispose();
  }
}
