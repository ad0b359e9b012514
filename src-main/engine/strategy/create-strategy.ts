import type { SearchSpace } from '../space/space.types.js';
import { dartsStrategy } from './darts.strategy.js';
import { fbnetStrategy, macLatencyLookup, type LatencyLookup } from './fbnet.strategy.js';
import { gdasStrategy } from './gdas.strategy.js';
import { pcDartsStrategy } from './pcdarts.strategy.js';
import { randomStrategy } from './random.strategy.js';
import type { Strategy, StrategyName } from './strategy.types.js';

export interface CreateStrategyOptions {
  space: SearchSpace;
  seed: number;
  /** FBNet: per-op latency (the hardware table); without one, a MAC-count estimate stands in. */
  latencyOf?: LatencyLookup;
  latencyTargetMs?: number;
  latencyWeight?: number;
  /** FBNet: parameters per op (the hardware table's counts) and the derived model's size budget. */
  paramsOf?: LatencyLookup;
  maxParams?: number;
}

/** The strategy of a search config by name. */
export function createStrategy(name: StrategyName, options: CreateStrategyOptions): Strategy {
  switch (name) {
    case 'darts':
      return dartsStrategy();
    case 'gdas':
      return gdasStrategy();
    case 'pcdarts':
      return pcDartsStrategy({ space: options.space, seed: options.seed });
    case 'random':
      return randomStrategy(options.space);
    case 'fbnet':
      return fbnetStrategy({
        latencyOf: options.latencyOf ?? macLatencyLookup(),
        targetMs: options.latencyTargetMs ?? 1,
        ...(options.latencyWeight !== undefined ? { latencyWeight: options.latencyWeight } : {}),
        ...(options.maxParams !== undefined && options.paramsOf ? { maxParams: options.maxParams, paramsOf: options.paramsOf } : {}),
      });
    default: {
      const unknown: never = name;
      throw new Error(`Unknown search strategy "${String(unknown)}" (known: darts, gdas, pcdarts, fbnet, random)`);
    }
  }
}
