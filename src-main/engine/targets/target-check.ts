import { buildDerivedModel, type DerivedModelOptions } from '../derive/build-derived-model.js';
import { buildExportGraph } from '../export/export-graph.js';
import { formatGenotype } from '../space/genotype.js';
import type { Genotype } from '../space/space.types.js';
import type { Task } from '../tasks/task.types.js';
import { describeFit, deviceCost, overshoot, type DeviceCost } from './device-cost.js';
import type { TargetId } from '../../contract/targets.js';
import { getTarget, hasMemoryLimits, type TargetSpec } from './targets.js';

/**
 * Whether a genotype, built as the run will retrain it, fits a target: the derived model is built (about
 * 10–20 ms for a quick-preset DARTS network), read into the export graph and costed; results are cached.
 */
export interface TargetCheck {
  target: TargetSpec;
  cost(genotype: Genotype): DeviceCost;
  fits(genotype: Genotype): boolean;
  /** 0 when it fits; otherwise the summed relative overshoot of SRAM and flash. */
  overshoot(genotype: Genotype): number;
}

export function targetCheck(target: TargetSpec, task: Task, model: DerivedModelOptions): TargetCheck {
  const cache = new Map<string, DeviceCost>();
  const cost = (genotype: Genotype): DeviceCost => {
    const key = formatGenotype(genotype);
    let known = cache.get(key);
    if (!known) {
      const net = buildDerivedModel(genotype, task, model);
      try {
        known = deviceCost(buildExportGraph(net));
      } finally {
        net.dispose();
      }
      cache.set(key, known);
    }
    return known;
  };
  return {
    target,
    cost,
    fits: (genotype) => overshoot(cost(genotype), target) === 0,
    overshoot: (genotype) => overshoot(cost(genotype), target),
  };
}

/** The check a run needs for its target; none for a target without memory limits (host, rpi4). */
export function checkForTarget(id: TargetId, task: Task, model: DerivedModelOptions): TargetCheck | undefined {
  const target = getTarget(id);
  return hasMemoryLimits(target) ? targetCheck(target, task, model) : undefined;
}

/** The error a search ends with when nothing it can build fits: the target, its limits, and what to change. */
/** `subject` starts the sentence: "None of the 800 darts architectures drawn", "No darts cell the search can derive". */
export function noFitError(target: TargetSpec, closest: DeviceCost, subject: string, model: DerivedModelOptions): Error {
  return new Error(
    `${subject} fits ${target.name}: the closest needs ${describeFit(closest, target)} (int8 estimates, docs/targets.md). ` +
      `Use a smaller network (--channels, now ${model.channels}; --cells, now ${model.cells}) or a target with more memory.`,
  );
}
