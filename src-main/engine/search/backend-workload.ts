import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import type { BackendWorkload } from '../backend/backend-timing.js';
import type { ArrayDataset } from '../data/dataset.types.js';
import { createReplica as createDerivedReplica } from '../derive/derived.replica.js';
import { classifierRetrainSchedule } from '../derive/retrain-schedule.js';
import type { StepContext } from '../parallel/replica.types.js';
import { formatGenotype } from '../space/genotype.js';
import { sampleGenotype } from '../space/sample-genotype.js';
import { getSpace } from '../space/spaces.js';
import { Rng } from '../util/rng.js';
import { macroOptionsFor } from './macro-options.js';
import { resolveConfig } from './presets.js';
import { SupernetReplica } from './supernet.replica.js';
import { loadTaskData, type TaskData } from './task-data.js';

/** The first `n` samples of a dataset (views, no copy). */
function head(ds: ArrayDataset, n: number): ArrayDataset {
  const count = Math.min(n, ds.xShape[0]);
  const per = ds.xShape.slice(1).reduce((a, b) => a * b, 1);
  return { ...ds, x: ds.x.subarray(0, count * per), xShape: [count, ...ds.xShape.slice(1)], y: ds.y.subarray(0, count) };
}

/**
 * The training step the run spends its time in, on one batch of its own data: the supernet's bilevel step
 * (architecture, then weights) for the gradient strategies and random search, the derived model's step for
 * rank-race (its race and the retraining train derived models). The backend is chosen by timing it.
 */
export function searchWorkload(config: ResolvedSearchConfig, data: TaskData): BackendWorkload {
  const macro = macroOptionsFor(config, data.task);
  const batch = head(data.train, config.batchSize);
  const indices = Int32Array.from({ length: batch.xShape[0] }, (_, i) => i);
  const ctx: StepContext = { step: 0, epoch: 0, epochs: 1, totalSteps: 100, seed: config.seed };
  const strategy = config.strategy === 'rank-race' ? undefined : config.strategy;
  const what = strategy ? `${strategy} supernet` : 'derived model';
  const key = `${config.task} ${data.task.inputShape.join('x')} · ${config.space} C${macro.channels} ×${macro.cells} cells · batch ${indices.length} · ${what}`;
  const space = getSpace(config.space, { nodes: config.nodes });
  return {
    key,
    prepare: async () => {
      if (strategy) {
        const replica = SupernetReplica.fromOptions(
          {
            space: config.space, nodes: config.nodes, task: config.task, noise: config.noise, strategy,
            latencyTargetMs: config.latencyTargetMs, latencyWeight: config.latencyWeight,
            channels: macro.channels, cells: macro.cells, stemMultiplier: macro.stemMultiplier, stemStride: macro.stemStride,
            seed: config.seed, totalSteps: 100, epochs: 1, weightOptimizer: 'adam', lrW: 3e-3, lrWMin: 1e-3, lrA: 3e-4,
            weightDecay: 3e-4, archWeightDecay: 1e-3, gradClip: 5, guard: 'none',
          },
          { weight: batch, arch: batch, train: data.train },
        );
        return {
          step: async () => {
            if (replica.strategy.trainsAlphas) replica.apply('alphas', (await replica.gradientsAsync('alphas', 'arch', indices, ctx)).grads, ctx);
            const w = await replica.gradientsAsync('weights', 'weight', indices, ctx);
            replica.apply('weights', w.grads, ctx, w.present);
          },
          dispose: () => replica.dispose(),
        };
      }
      const genotype = formatGenotype(sampleGenotype(space, new Rng(config.seed)));
      const replica = await createDerivedReplica(
        { genotype, task: config.task, noise: config.noise, model: { ...macro, seed: config.seed }, ...classifierRetrainSchedule(config.batchSize) },
        { train: batch },
      );
      return {
        step: async () => {
          const g = replica.gradientsAsync ? await replica.gradientsAsync('weights', 'train', indices, ctx) : replica.gradients('weights', 'train', indices, ctx);
          replica.apply('weights', g.grads, ctx);
        },
        dispose: () => replica.dispose(),
      };
    },
  };
}

/**
 * The workload of `nas-studio profile` and the Hardware view: the quick preset's training step on MNIST
 * (the default search), so its timing is the one a default search would make (the same cache key).
 */
export async function defaultWorkload(): Promise<BackendWorkload> {
  const config = resolveConfig({ task: 'classification', data: { kind: 'builtin', name: 'mnist' } });
  return searchWorkload(config, await loadTaskData(config));
}
