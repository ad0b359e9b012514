import { buildDerivedModel, type DerivedModelOptions } from '../derive/build-derived-model.js';
import { buildExportGraph } from '../export/export-graph.js';
import { formatGenotype } from '../space/genotype.js';
import type { Genotype } from '../space/space.types.js';
import type { Task } from '../tasks/task.types.js';
import { describeFit, deviceCost, overshoot, type DeviceCost } from './device-cost.js';
import type { TargetId } from '../../contract/targets.js';
import { getTarget, hasMemoryLimits, type TargetSpec } from './targets.js';

/**
 * Whether a genotype, built as the run will retrain it, fits its limits: the target's SRAM and flash and,
 * when the user set one, the size budget in parameters. The derived model is built (about 10–20 ms for a
 * quick-preset DARTS network), read into the export graph and costed; results are cached.
 */
export interface TargetCheck {
  target: TargetSpec;
  /** The size budget (parameters of the derived model), when set. */
  maxParams?: number;
  /** What must be fitted, in words: "Cortex-M4F …", "50,000 parameters", or both. */
  label: string;
  cost(genotype: Genotype): CheckedCost;
  fits(genotype: Genotype): boolean;
  /** 0 when it fits; otherwise the summed relative overshoot of SRAM, flash and parameters. */
  overshoot(genotype: Genotype): number;
}

export interface CheckedCost extends DeviceCost {
  /** Parameters of the derived model (as Results counts them). */
  params: number;
}

function limitsLabel(target: TargetSpec, maxParams: number | undefined): string {
  const budget = maxParams === undefined ? undefined : `the size budget of ${maxParams.toLocaleString('en-US')} parameters`;
  if (!hasMemoryLimits(target)) return budget ?? target.name;
  return budget ? `${target.name} and ${budget}` : target.name;
}

export function targetCheck(target: TargetSpec, task: Task, model: DerivedModelOptions, maxParams?: number): TargetCheck {
  const cache = new Map<string, CheckedCost>();
  const cost = (genotype: Genotype): CheckedCost => {
    const key = formatGenotype(genotype);
    let known = cache.get(key);
    if (!known) {
      const net = buildDerivedModel(genotype, task, model);
      try {
        known = { ...deviceCost(buildExportGraph(net)), params: net.countParams() };
      } finally {
        net.dispose();
      }
      cache.set(key, known);
    }
    return known;
  };
  const over = (genotype: Genotype): number => {
    const c = cost(genotype);
    return overshoot(c, target) + (maxParams === undefined ? 0 : Math.max(0, c.params / maxParams - 1));
  };
  return { target, maxParams, label: limitsLabel(target, maxParams), cost, fits: (genotype) => over(genotype) === 0, overshoot: over };
}

/**
 * The check a run needs: its target's memory limits and its size budget. None when neither applies (host
 * or rpi4 without a budget), so such a search runs exactly as before.
 */
export function checkForTarget(id: TargetId, task: Task, model: DerivedModelOptions, maxParams?: number): TargetCheck | undefined {
  const target = getTarget(id);
  return hasMemoryLimits(target) || maxParams !== undefined ? targetCheck(target, task, model, maxParams) : undefined;
}

/** The error a search ends with when nothing it can build fits: the limits, the closest model, and what to change. */
/** `subject` starts the sentence: "None of the 800 darts architectures drawn", "No darts cell the search can derive". */
export function noFitError(check: TargetCheck, closest: CheckedCost, subject: string, model: DerivedModelOptions): Error {
  const needs = [hasMemoryLimits(check.target) ? `${describeFit(closest, check.target)} (int8 estimates, docs/targets.md)` : '', check.maxParams !== undefined ? `${closest.params.toLocaleString('en-US')} parameters` : '']
    .filter(Boolean)
    .join('; ');
  return new Error(
    `${subject} fits ${check.label}: the closest needs ${needs}. ` +
      `Use a smaller network (--channels, now ${model.channels}; --cells, now ${model.cells})${hasMemoryLimits(check.target) ? ' or a target with more memory' : ' or a larger size budget'}.`,
  );
}
