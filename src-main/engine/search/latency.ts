/**
 * Latency in a search run: the table an FBNet search prices its edges with, the predicted and measured
 * latency every result.json reports, random architectures for validating the table, and the Pareto front
 * of several searches.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import { allPositions, architectureQuery, edgeKey, latencyKeyString, networkLayout, type NetworkLayout } from '../hardware/latency-layout.js';
import { median, timeModel, warmUntilSteady, type TimingOptions } from '../hardware/latency-measure.js';
import { latencyLookupFromTable, predictLatency } from '../hardware/latency-predict.js';
import { ensureLatencyTable, type EnsuredTable } from '../hardware/latency-table.js';
import { GLUE_OP_PREFIX, type LatencyPrediction, type LatencyTable } from '../hardware/latency-table.types.js';
import { parseGenotype } from '../space/genotype.js';
import type { MacroOptions } from '../space/macro.js';
import { parseEdgeName } from '../space/spaces.js';
import type { Genotype } from '../space/space.types.js';
import type { LatencyLookup } from '../strategy/fbnet.strategy.js';
import type { Task } from '../tasks/task.types.js';

export { latencyLookupFromTable } from '../hardware/latency-predict.js';
export { randomGenotype } from '../hardware/latency-sample.js';

/**
 * Batch-1 predict time (ms) of a model as an app runs it: predict, then read the output. Warmed up until
 * its time stops falling (warmUntilSteady: a model's first few hundred predicts in a process run up to 4×
 * slower while V8 optimises tfjs-layers' code for it), then the median of a few blocks spaced in time.
 */
export async function measureModelLatency(model: tf.LayersModel, options: TimingOptions & { blocks?: number } = {}): Promise<number> {
  const { blocks = 3, ...timing } = options;
  await warmUntilSteady(model, { signal: timing.signal });
  // Alone, a model has no neighbours to share a burst of load with: the median of a few blocks, spaced
  // out in time, keeps one loaded stretch from deciding the figure (the same model read 0.74 and 1.22 ms).
  const results: number[] = [];
  for (let b = 0; b < blocks; b++) {
    if (b > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    results.push(await timeModel(model, { repeats: 31, warmup: 10, ...timing }));
  }
  return median(results);
}

function blocksOf(genotype: Genotype): number | undefined {
  return genotype.format === 'chain' ? genotype.blocks.length : undefined;
}

/**
 * FBNet's lookup with the table, scaled so the expected latency under the alphas estimates the DERIVED
 * model's latency (what latencyTargetMs is about), not the supernet's:
 * - a DARTS-style node keeps 2 of its incoming edges, so an edge into node j (j incoming edges) counts 2/j;
 * - the fixed parts (per-call overhead, stem, head, cell preprocessing, node sums, concatenations) are the
 *   same for every architecture; spread evenly over the edges and added to every primitive, they add
 *   exactly their sum to Σ probs · latency (probabilities sum to 1), whatever the alphas.
 * Every primitive at every edge must be in the table (missing keys throw, naming the key).
 */
export function fbnetLatencyLookup(table: LatencyTable, layout: NetworkLayout, task: Task): LatencyLookup {
  const query = architectureQuery(layout, placeholderGenotype(layout), task);
  const fixed = predictLatency(table, { ...query, ops: query.ops.filter((k) => k.op.startsWith(GLUE_OP_PREFIX)) }).totalMs;
  return perEdgeLookup(layout, latencyLookupFromTable(table, layout), fixed);
}

/**
 * FBNet's parameter lookup for a size budget, built like fbnetLatencyLookup: the expected parameter count
 * under the alphas estimates the derived model's (stem, head, preprocessing and every kept op), from the
 * `params` the table stores with each entry.
 */
export function fbnetParamsLookup(table: LatencyTable, layout: NetworkLayout, task: Task): LatencyLookup {
  const query = architectureQuery(layout, placeholderGenotype(layout), task);
  const fixed = predictLatency(table, { ...query, ops: query.ops.filter((k) => k.op.startsWith(GLUE_OP_PREFIX)) }).params;
  const timed = latencyLookupFromTable(table, layout);
  return perEdgeLookup(
    layout,
    (primitive, edge) => {
      timed(primitive, edge); // throws naming a missing key
      const key = edgeKey(layout, primitive, edge);
      const params = table.entries[latencyKeyString(key)].params;
      if (params === undefined || fixed === undefined) {
        throw new Error(`Latency table (${table.space}, machine ${table.machineId}) lacks parameter counts (${latencyKeyString(key)} or a fixed part); rebuild it to search with a size budget`);
      }
      return params;
    },
    fixed ?? 0,
  );
}

/** A per-primitive quantity of an edge, scaled for the derived model (2/j kept edges) plus an even share of the fixed parts. */
function perEdgeLookup(layout: NetworkLayout, raw: (primitive: string, edge: Parameters<LatencyLookup>[1]) => number, fixed: number): LatencyLookup {
  const edges = allPositions(layout).length;
  const perEdge = edges > 0 ? fixed / edges : 0;
  const cellSpace = layout.cells.length > 0 && layout.space !== 'nb201';
  return (primitive, edge) => {
    const { to } = parseEdgeName(edge.edge);
    const keep = cellSpace ? Math.min(1, 2 / to) : 1;
    return keep * raw(primitive, edge) + perEdge;
  };
}

/** Any genotype of the layout: only its glue ops (the same for every DARTS genotype) are read. */
function placeholderGenotype(layout: NetworkLayout): Genotype {
  if (layout.positions.length > 0) return { format: 'chain', blocks: layout.positions.map(() => 'skip') };
  if (layout.space === 'nb201') return { format: 'nb201', nodes: [1, 2, 3].map((j) => Array.from({ length: j }, (_, i) => ['none', i] as [string, number])) };
  const steps = Math.max(...layout.cells[0].positions.map((p) => p.to)) - 1;
  const cell = { ops: Array.from({ length: steps }, () => [['none', 0], ['none', 1]] as [string, number][]).flat(), concat: Array.from({ length: steps }, (_, i) => i + 2) };
  return { format: 'darts', normal: cell, reduce: cell };
}

/** The table's prediction for a genotype (string or parsed) in the macro skeleton of a run. */
export function predictArchitectureLatency(genotype: Genotype | string, macro: MacroOptions, task: Task, table: LatencyTable): LatencyPrediction {
  const g = typeof genotype === 'string' ? parseGenotype(genotype) : genotype;
  const layout = networkLayout({ space: table.space, task, macro, blocks: blocksOf(g) });
  return predictArchitectureFromLayout(g, layout, task, table);
}

function predictArchitectureFromLayout(g: Genotype, layout: ReturnType<typeof networkLayout>, task: Task, table: LatencyTable): LatencyPrediction {
  return predictLatency(table, architectureQuery(layout, g, task));
}

/** The table of a run's space and skeleton, from the cache or measured now (seconds for a small space). */
export function latencyTableForRun(config: Pick<ResolvedSearchConfig, 'space' | 'nodes'>, task: Task, macro: MacroOptions, options: { signal?: AbortSignal; blocks?: number } = {}): Promise<EnsuredTable> {
  return ensureLatencyTable({ space: config.space, task, macro: { ...macro, nodes: config.nodes }, blocks: options.blocks, signal: options.signal });
}

export interface RunLatency {
  predictedMs?: number;
  measuredMs: number;
  targetMs?: number;
}

/**
 * result.json's `latency`: the retrained model timed end to end, the table's prediction for its genotype
 * (absent when the table cannot price it) and the config's target.
 */
export async function runLatency(
  config: Pick<ResolvedSearchConfig, 'space' | 'nodes' | 'latencyTargetMs'>,
  task: Task,
  macro: MacroOptions,
  genotype: string,
  model: tf.LayersModel,
  options: { signal?: AbortSignal } = {},
): Promise<RunLatency> {
  const g = parseGenotype(genotype);
  const { table } = await latencyTableForRun(config, task, macro, { signal: options.signal, blocks: blocksOf(g) });
  const prediction = predictArchitectureLatency(g, { ...macro, nodes: config.nodes }, task, table);
  const measuredMs = await measureModelLatency(model, { signal: options.signal });
  return {
    ...(prediction.missing.length === 0 ? { predictedMs: prediction.totalMs } : {}),
    measuredMs,
    ...(config.latencyTargetMs !== undefined ? { targetMs: config.latencyTargetMs } : {}),
  };
}

export interface ParetoPoint {
  /** Higher is better (accuracy, PSNR). */
  score: number;
  /** Lower is better (ms). */
  latencyMs: number;
  params?: number;
  label?: string;
}

/**
 * The points no other point dominates (at least as good in score and latency, better in one), sorted by
 * latency. Ties in both keep one point.
 */
export function paretoFront<T extends ParetoPoint>(points: readonly T[]): T[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.score) && Number.isFinite(p.latencyMs)).sort((a, b) => a.latencyMs - b.latencyMs || b.score - a.score);
  const front: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.score > best) {
      front.push(p);
      best = p.score;
    }
  }
  return front;
}

/**
 * The FBNet lookup of a run: this machine's table for the run's space and skeleton (cached, missing keys
 * measured now) read through fbnetLatencyLookup. Also returns the table as plain data for worker replicas.
 */
export async function fbnetLookupForRun(
  config: Pick<ResolvedSearchConfig, 'space' | 'nodes'>,
  task: Task,
  macro: MacroOptions,
  options: { signal?: AbortSignal } = {},
): Promise<{ latencyOf: LatencyLookup; paramsOf: LatencyLookup; table: LatencyTable }> {
  const { table, layout } = await latencyTableForRun(config, task, macro, options);
  return { latencyOf: fbnetLatencyLookup(table, layout, task), paramsOf: fbnetParamsLookup(table, layout, task), table };
}

/** fbnetLatencyLookup for a replica that received the table as plain (structured-clone) data. */
export function fbnetLookupFromTable(table: LatencyTable, task: Task, macro: MacroOptions): LatencyLookup {
  return fbnetLatencyLookup(table, networkLayout({ space: table.space, task, macro }), task);
}
