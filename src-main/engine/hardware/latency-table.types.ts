import type { BackendName } from '../backend/backend.types.js';
import type { SpaceName } from '../space/space.types.js';
import type { TaskKind } from '../tasks/task.types.js';

/*
 * Design of the per-op latency table (FBNet-style hardware-aware search; measured, not modelled).
 *
 * - What is measured: each candidate op of a space, alone, at batch 1, forward only, on the backend in
 *   use, for every (inputShape, stride, cOut) the macro plan of a config actually produces. The plan is
 *   known before the search (planDartsMacro / planNb201Macro / the chain plan), so the table measures only
 *   the keys one search needs, not a grid. Each entry: warm-up, then the median of repeats, bounded in time
 *   like the micro-benchmarks.
 * - Cache: one JSON file per (machineId, backend, space) under <userDataDir>/latency/<machineId>/<backend>/
 *   <space>.json, written atomically; missing keys are measured and merged in, so a second search with
 *   other widths only measures what is new. A table is stale when tfjsVersion or schemaVersion differs.
 * - Prediction: predictedLatency(arch) = overhead + stem + head + Σ latency(op) over the ops the genotype keeps
 *   (DARTS: two ops per node; NB201: one per edge; chain: one per block). Ops that cost nothing by
 *   construction ("none", and "skip_connect" at stride 1) are entries with medianMs 0, not missing keys,
 *   so a missing key always means "not measured" and is reported, never silently counted as 0.
 * - FBNet's differentiable expected latency uses the same entries: for each searchable position, the
 *   vector of latencies in primitive order, dotted with that position's op probabilities.
 * - Known bias, stated rather than hidden: isolated ops miss the cache effects between layers; whole reference
 *   models timed in the same rounds calibrate the entries (one factor per measurement, latency-table.ts), the
 *   cells' preprocessing, sums and concatenations are glue entries ("@…"), and the per-call overhead is
 *   counted once. bench/latency.bench.ts compares predicted with measured whole models (docs/latency.md).
 * - Timing: CPU time of this process, interleaved rounds in a new random order each, warm visits (the second
 *   of two runs), runs hit by a garbage collection dropped, 10 %-trimmed mean (latency-measure.ts says why).
 */

/** Per-sample input of an op: [H, W, C]; HAR ops use H = 1 (a window is an image of height 1). */
export type OpInputShape = [height: number, width: number, channels: number];

/** Identifies one measured op instance. */
export interface LatencyKey {
  space: SpaceName;
  /** Primitive name in the space's vocabulary, e.g. "sep_conv_3x3", "ir_k5_e3", "conv_5". */
  op: string;
  inputShape: OpInputShape;
  stride: 1 | 2;
  cOut: number;
  /** false: the op as denoisers build it, without BatchNorm and with conv biases (build-derived-model.ts). */
  batchNorm?: false;
}

/**
 * Canonical string form of a LatencyKey, used as the map key in the cached file: "darts|sep_conv_3x3|28x28x16|s1|16",
 * with "|nobn" appended for a denoiser's BN-free op.
 */
export type LatencyKeyString = `${SpaceName}|${string}|${number}x${number}x${number}|s${1 | 2}|${number}${'' | '|nobn'}`;

export interface LatencyEntry {
  key: LatencyKey;
  /** Forward time at batch 1 (ms; the table's `statistic` of its rounds), per-call overhead taken out, calibrated. */
  medianMs: number;
  repeats: number;
  /** Trainable parameters of the op at this key (a size budget sums them like latencies). */
  params?: number;
}

/**
 * Glue ops: the parts of a cell that every architecture pays for, keyed and measured like candidate ops
 * so a cell's cost is Σ chosen ops + Σ glue. Names start with "@" so they never clash with a primitive:
 * "@rcb1x1" (ReLU-Conv1×1-BN preprocessing, stride 1), "@fr" (FactorizedReduce preprocessing of c_{k-2}
 * after a reduction, stride 2), "@add<n>" (a node summing n inputs of inputShape), "@concat<n>" (a cell
 * output concatenating n inputs of inputShape, cOut = n × C), "@resblock" (NB201's fixed stride-2 block).
 */
export const GLUE_OP_PREFIX = '@';

/** The parts around the searched ops, fixed by the task and macro plan. */
export interface FixedPartLatency {
  part: 'stem' | 'head';
  task: TaskKind;
  /** Stem: the stem convolution's stride; head: 1. */
  stride: 1 | 2;
  /** Stem: the task's input shape; head: the shape entering the head. */
  inputShape: OpInputShape;
  /** Stem: output channels; head: classes (denoising: the image's channels). */
  cOut: number;
  medianMs: number;
  params?: number;
}

/**
 * Bumped when the way entries are timed changes (latency-measure.ts), so tables timed the old way are
 * measured again. "warm-shuffled-nogc": each visit's second run, items in a new random order every round,
 * runs a garbage collection landed in dropped.
 */
export const TIMING_METHOD = 'warm-shuffled-nogc';

/** One cached file: everything measured for one space on one machine and backend. */
export interface LatencyTable {
  schemaVersion: 1;
  machineId: string;
  backend: BackendName;
  space: SpaceName;
  /** Always 1: latency targets are per image (on-device inference). */
  batch: 1;
  /** tfjs version the entries were measured with; a different version makes the table stale. */
  tfjsVersion: string;
  /** kernelFingerprint of the backend's kernels when measured; a different kernel set makes the table stale. */
  kernels?: string;
  /** How entries were timed (TIMING_METHOD); a table timed another way is stale. */
  timing?: string;
  createdAt: string;
  updatedAt: string;
  entries: Record<LatencyKeyString, LatencyEntry>;
  fixedParts: FixedPartLatency[];
  /**
   * What one model.predict at batch 1 costs beyond its layers (input checks, execution plan, reading the
   * output): measured on an identity model and subtracted from every entry, then added once per architecture.
   */
  modelOverheadMs: number;
  /** Repeats per entry (median of), and the 1-minute load average while measuring (a noise indicator). */
  repeats: number;
  /** How each entry summarises its rounds (latency-measure.ts); a table with another statistic is stale. */
  statistic?: 'trimmed-mean' | 'median';
  loadAverage?: number;
  /**
   * Scale applied to the entries of the last measurement so that whole reference models (random
   * architectures of the configuration, timed in the same rounds) equal overhead + Σ parts; see latency-table.ts.
   */
  calibration?: { factor: number; references: number };
}

/** What predictedLatency needs to know about an architecture: its stem, head and kept ops. */
export interface ArchLatencyQuery {
  stem: Omit<FixedPartLatency, 'medianMs' | 'part' | 'params'>;
  head: Omit<FixedPartLatency, 'medianMs' | 'part' | 'params'>;
  ops: LatencyKey[];
}

export interface LatencyPrediction {
  totalMs: number;
  /** The table's modelOverheadMs, counted once. */
  overheadMs: number;
  /** Trainable parameters summed over stem, head and ops (undefined when an entry lacks its count). */
  params?: number;
  stemMs: number;
  headMs: number;
  opsMs: number;
  /** Keys the table does not hold; when non-empty, totalMs is a lower bound. */
  missing: LatencyKey[];
}

/** predictedLatency(arch) = modelOverheadMs + stem + head + Σ ops (glue ops included). */
export type PredictLatency = (table: LatencyTable, arch: ArchLatencyQuery) => LatencyPrediction;

/**
 * FBNet input: for each searchable position (edge "2<-0" of cell i, or block i of a chain), the latency of
 * every primitive in the space's primitive order. Expected latency = Σ_positions probs · latencies.
 */
export interface PositionLatencies {
  /** Cell index (cell spaces) or block index (chain). */
  index: number;
  /** Edge name for cell spaces ("2<-0"); absent for chains. */
  edge?: string;
  cellType?: 'normal' | 'reduce';
  latenciesMs: number[];
}
