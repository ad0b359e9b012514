import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { splitSearchData } from '../data/split.js';
import type { MacroOptions } from '../space/macro.js';
import { getSpace } from '../space/spaces.js';
import { createStrategy } from '../strategy/create-strategy.js';
import { Supernet } from '../supernet/supernet.js';
import { captureSearchCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { FaultInjector, SearchDivergedError } from './faults.js';
import { fbnetLookupForRun } from './latency.js';
import { explainWasmOutOfMemory } from './out-of-memory.js';
import { searchLoop } from './search-loop.js';
import { supernetReplicaSpec, type SupernetModelOptions } from './supernet.replica.js';
import type { TaskData } from './task-data.js';
import { runRankRacePhase } from './rank/rank-race-phase.js';
import type { SearchPhaseOptions, SearchPhaseResult } from './search-phase.types.js';
import { gradientDecision } from './gradient-decision.js';
import { formatGenotype, parseGenotype } from '../space/genotype.js';
import { fitGenotype } from '../targets/fit-genotype.js';
import { checkForTarget } from '../targets/target-check.js';

export type { SearchPhaseOptions, SearchPhaseResult } from './search-phase.types.js';

/**
 * Splits the training data into weight and arch halves, builds the supernet and strategy, and searches,
 * writing a checkpoint after every epoch. A diverged step (NaN/Inf loss) rolls back once to the last
 * checkpoint (or the start) with the learning rates halved; a second divergence stops the run.
 */
export async function runSearchPhase(config: ResolvedSearchConfig, data: TaskData, macro: MacroOptions, options: SearchPhaseOptions): Promise<SearchPhaseResult> {
  if (config.strategy === 'rank-race') return runRankRacePhase(config, data, macro, options);
  const strategyName = config.strategy;
  const started = performance.now();
  const { weight, arch } = splitSearchData(data.train, { seed: config.seed, searchSamples: config.searchSamples || undefined });
  const space = getSpace(config.space, { nodes: config.nodes });
  const faults = new FaultInjector(options.faults);
  let resume = options.resume;
  // A resumed run keeps the learning-rate scale and rollback count its checkpoint carries.
  let lrScale = (resume?.extra?.lrScale as number | undefined) ?? 1;
  let rollbacks = (resume?.extra?.rollbacks as number | undefined) ?? 0;
  // FBNet prices its edges with this machine's measured per-op latency table (search/latency.ts).
  const latency = config.strategy === 'fbnet' ? await fbnetLookupForRun(config, data.task, macro, { signal: options.signal }) : undefined;
  // The same supernet and strategy in every worker thread (the loop adds its step options). FBNet's
  // latency lookup is a function of this thread's table, so an FBNet search stays on one thread.
  const workers = config.strategy === 'fbnet' ? 1 : config.workers;
  // The target's SRAM and flash bound the derived model: none for host and rpi4 (targets/targets.ts).
  const check = checkForTarget(config.target, data.task, macro, config.maxParams);
  const model: SupernetModelOptions = {
    space: config.space,
    nodes: config.nodes,
    task: config.task,
    noise: config.noise,
    strategy: strategyName,
    latencyTargetMs: config.latencyTargetMs,
    latencyWeight: config.latencyWeight,
    channels: macro.channels,
    cells: macro.cells,
    stemMultiplier: macro.stemMultiplier,
    stemStride: macro.stemStride,
  };
  for (;;) {
    // Built afresh for every attempt from the same seed: a rollback without a checkpoint starts over exactly.
    const strategy = createStrategy(strategyName, {
      space,
      seed: config.seed,
      latencyTargetMs: config.latencyTargetMs,
      latencyWeight: config.latencyWeight,
      // The size budget is a loss term like latency (FBNet; the derived model's expected parameter count).
      ...(latency ? { latencyOf: latency.latencyOf, paramsOf: latency.paramsOf, maxParams: config.maxParams } : {}),
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
    const runDir = options.runDir;
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
        resume,
        lrScale,
        faults,
        ...(workers > 1 ? { parallel: { spec: supernetReplicaSpec(model), replicas: workers, ...(config.task === 'har' ? { taskData: data.train } : {}) } } : {}),
        onEpochEnd: runDir
          ? async (state) => {
              const saved = saveCheckpoint(runDir, await captureSearchCheckpoint(state, { lrScale, rollbacks, probsHistory: state.probsHistory }));
              options.onCheckpoint?.(saved);
            }
          : undefined,
      });
      // Over the target's limits, chosen ops give way to their edge's next-most-likely cheaper op.
      const fitted = check ? fitGenotype(parseGenotype(result.genotype), result.alphas, space, check, macro) : undefined;
      const genotype = fitted ? formatGenotype(fitted.genotype) : result.genotype;
      if (fitted?.changes.length) options.onEvent?.({ type: 'log', level: 'info', message: `To fit ${check!.label}: ${fitted.changes.join('; ')}.` });
      return {
        genotype,
        alphas: result.alphas,
        genotypeHistory: result.genotypeHistory,
        guard: result.guard,
        seconds: (performance.now() - started) / 1000,
        ...(strategy.trainsAlphas ? { decision: gradientDecision(result.alphas, space, parseGenotype(genotype)) } : {}),
        ...(fitted?.changes.length ? { targetAdjustments: fitted.changes } : {}),
        ...(result.expectedLatencyMs !== undefined ? { expectedLatencyMs: result.expectedLatencyMs } : {}),
      };
    } catch (error) {
      if (!(error instanceof SearchDivergedError)) {
        throw explainWasmOutOfMemory(error, { what: 'supernet', batchSize: config.batchSize, workers, partialChannels: config.strategy === 'pcdarts' }) ?? error;
      }
      const from = runDir ? loadCheckpoint(runDir) : undefined;
      const where = from ? `the checkpoint after epoch ${from.epoch}` : 'the start of the search';
      if (rollbacks > 0) {
        throw new Error(`${error.message} It diverged again after a rollback with the learning rates scaled by ${lrScale}; the run stops.`, { cause: error });
      }
      rollbacks++;
      lrScale /= 2;
      resume = from;
      options.onRollback?.(from?.epoch ?? 0);
      options.onEvent?.({ type: 'log', level: 'warn', message: `${error.message.split('.')[0]}: rolled back to ${where} with the learning rates halved.` });
    } finally {
      strategy.dispose?.();
      supernet.dispose();
    }
  }
}
