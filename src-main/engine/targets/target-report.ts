import type * as tf from '@tensorflow/tfjs';
import type { ResultTarget, TargetFit, TargetId } from '../../contract/targets.js';
import { buildExportGraph } from '../export/export-graph.js';
import { deviceCost, fitOnTarget } from './device-cost.js';
import { getTarget, resultTarget } from './targets.js';

/**
 * result.json's `target` and `fit` for a retrained model: its int8 arena, flash and estimated latency on
 * the run's target, and whether it fits (docs/targets.md). `adjusted` lists the operations the search
 * replaced to make it fit.
 */
export function targetReport(id: TargetId, model: tf.LayersModel, adjusted?: string[]): { target: ResultTarget; fit: TargetFit } {
  const target = getTarget(id);
  const fit = fitOnTarget(deviceCost(buildExportGraph(model)), target);
  return { target: resultTarget(target), fit: adjusted?.length ? { ...fit, adjusted } : fit };
}
