import type { SearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import type { Task } from '../tasks/task.types.js';
import { baselineReplicaSpec } from './baseline.replica.js';
import { countParams } from './build-derived-model.js';
import { evaluateModel } from './evaluate.js';
import { retrainModel, type RetrainOptions } from './retrain.js';

export interface BaselineScore {
  psnr?: number;
  ssim?: number;
  params: number;
  seconds: number;
}

/**
 * Trains the fixed DnCNN baseline at about the searched denoiser's parameter count with the searched
 * model's budget object, and scores it on the same seeded noisy test images. One place for the run
 * (run-search.ts) and the benchmark (bench/denoiser-baseline.bench.ts), so both compare alike.
 */
export async function trainAndScoreBaseline(args: {
  noise: SearchConfig['noise'];
  targetParams: number;
  learningRate: number;
  task: Task;
  train: ArrayDataset;
  test: ArrayDataset;
  budget: RetrainOptions;
}): Promise<BaselineScore> {
  const { budget } = args;
  const baseline = await retrainModel(baselineReplicaSpec({ noise: args.noise, targetParams: args.targetParams, learningRate: args.learningRate, seed: budget.seed }), args.train, budget);
  try {
    const { metrics } = await evaluateModel(baseline.model, args.task, args.test, { seed: budget.seed });
    return { psnr: metrics.psnr, ssim: metrics.ssim, params: countParams(baseline.model), seconds: baseline.seconds };
  } finally {
    baseline.model.dispose();
  }
}
