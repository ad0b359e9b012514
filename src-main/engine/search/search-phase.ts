import type { RunEventListener } from '../../contract/events.js';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { splitSearchData } from '../data/split.js';
import type { MacroOptions } from '../space/macro.js';
import { getSpace } from '../space/spaces.js';
import type { AlphaProbs } from '../space/space.types.js';
import { createStrategy } from '../strategy/create-strategy.js';
import { Supernet } from '../supernet/supernet.js';
import type { GuardOutcome } from './collapse-guard.js';
import type { PauseGate } from './run-control.js';
import { searchLoop } from './search-loop.js';
import type { TaskData } from './task-data.js';

export interface SearchPhaseResult {
  genotype: string;
  alphas: AlphaProbs;
  genotypeHistory: string[];
  guard: GuardOutcome;
  seconds: number;
  expectedLatencyMs?: number;
}

/** Splits the training data into weight and arch halves, builds the supernet and strategy, and searches. */
export async function runSearchPhase(
  config: ResolvedSearchConfig,
  data: TaskData,
  macro: MacroOptions,
  options: { signal?: AbortSignal; pause?: PauseGate; onEvent?: RunEventListener },
): Promise<SearchPhaseResult> {
  const started = performance.now();
  const { weight, arch } = splitSearchData(data.train, { seed: config.seed, searchSamples: config.searchSamples || undefined });
  const space = getSpace(config.space, { nodes: config.nodes });
  const strategy = createStrategy(config.strategy, {
    space,
    seed: config.seed,
    latencyTargetMs: config.latencyTargetMs,
    latencyWeight: config.latencyWeight,
  });
  const supernet = new Supernet({
    space,
    task: data.task,
    channels: macro.channels,
    cells: macro.cells,
    stemMultiplier: macro.stemMultiplier,
    stemStride: macro.stemStride,
    seed: config.seed,
    ...strategy.supernetOptions,
  });
  try {
    const result = await searchLoop({
      supernet,
      strategy,
      task: data.task,
      weightData: weight,
      archData: arch,
      epochs: config.epochs,
      batchSize: config.batchSize,
      weightOptimizer: 'adam',
      seed: config.seed,
      signal: options.signal,
      pause: options.pause,
      onEvent: options.onEvent,
      guard: config.collapseGuard,
    });
    return {
      genotype: result.genotype,
      alphas: result.alphas,
      genotypeHistory: result.genotypeHistory,
      guard: result.guard,
      seconds: (performance.now() - started) / 1000,
      ...(result.expectedLatencyMs !== undefined ? { expectedLatencyMs: result.expectedLatencyMs } : {}),
    };
  } finally {
    strategy.dispose?.();
    supernet.dispose();
  }
}
