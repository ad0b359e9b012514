/**
 * Builds the per-op latency table of one configuration: every key of its layout (latency-layout.ts)
 * that the cached table lacks is built as a tiny model (latency-ops.ts), timed in one interleaved
 * measurement with identity models of the same output shapes (latency-measure.ts) and a few whole
 * reference models, and stored with the per-call overhead taken out and the calibration applied.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend/backend.types.js';
import { activeBackendName } from '../backend/select-backend.js';
import { getSpace } from '../space/spaces.js';
import type { MacroOptions } from '../space/macro.js';
import type { Task } from '../tasks/task.types.js';
import { buildDerivedModel } from '../derive/build-derived-model.js';
import { Rng } from '../util/rng.js';
import { architectureQuery, layoutKeys, latencyKeyString, networkLayout, sameFixedPart, type FixedPartKey, type NetworkLayout } from './latency-layout.js';
import { DEFAULT_REPEATS, DEFAULT_STATISTIC, median, timeInterleaved, type LatencyStatistic, type Timeable } from './latency-measure.js';
import { randomGenotype } from './latency-sample.js';
import { buildFixedPartModel, buildIdentityModel, buildOpModel, isFreeOp, type FixedPartSpec, type TimedModel } from './latency-ops.js';
import { currentMachineId, kernelFingerprint, latencyTableFile, loadLatencyTable, saveLatencyTable, tfjsVersion } from './latency-store.js';
import { TIMING_METHOD, type LatencyKey, type LatencyTable, type OpInputShape } from './latency-table.types.js';

export interface LatencyTableOptions {
  task: Task;
  macro: MacroOptions;
  space: LatencyTable['space'];
  /** Chain space: blocks (default: the space's default). */
  blocks?: number;
  /** Only these primitives (default: all of the space); tests use a few. */
  primitives?: readonly string[];
  repeats?: number;
  statistic?: LatencyStatistic;
  /** Whole reference models timed with the ops to calibrate them (default 8; 0: no calibration). */
  calibrate?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Models timed in the same interleaved rounds as the table's ops (validation: whole models measured
   * under the same load as their parts). Their medians come back in `alongsideMs`.
   */
  alongside?: Timeable[];
}

export interface EnsureTableOptions extends LatencyTableOptions {
  /** Defaults: this machine's id and the backend in use. */
  machineId?: string;
  backend?: BackendName | string;
  /** Cache file (default: latencyTableFile under the user data dir). */
  file?: string;
  /** Ignore the cache and measure every key again. */
  refresh?: boolean;
  /** Do not write the file. */
  noSave?: boolean;
}

export interface EnsuredTable {
  table: LatencyTable;
  file: string;
  /** Keys measured by this call (0: everything came from the cache). */
  measured: number;
  fromCache: number;
  layout: NetworkLayout;
}


/** The model spec (stem: the task's own input shape) and the key it is stored under ([H, W, C]). */
function fixedJobs(layout: NetworkLayout, task: Task): { spec: FixedPartSpec; stored: FixedPartKey }[] {
  const { stem, head } = layout;
  return [
    {
      spec: { part: 'stem', space: layout.space, task: task.kind, inputShape: task.inputShape, stride: stem.stride, cOut: stem.cOut },
      stored: { part: 'stem', task: task.kind, inputShape: stem.inputShape, stride: stem.stride, cOut: stem.cOut },
    },
    {
      spec: { part: 'head', space: layout.space, task: task.kind, inputShape: head.inputShape, stride: 1, cOut: head.cOut },
      stored: { part: 'head', task: task.kind, inputShape: head.inputShape, stride: 1, cOut: head.cOut },
    },
  ];
}


function outputShape(timed: TimedModel): OpInputShape {
  const dims = timed.model.outputs[0].shape.slice(1).map((d) => d ?? 1);
  while (dims.length < 3) dims.unshift(1);
  return dims as OpInputShape;
}

let engineWarm = false;

type Job = { kind: 'op'; key: LatencyKey } | { kind: 'fixed'; spec: FixedPartSpec; stored: FixedPartKey };

/** Reference architectures for the calibration: a fixed seed, apart from any a benchmark validates on. */
const CALIBRATION_SEED = 1;
/** Eight: the median of five moved by a few % from one measurement to the next on the shared machine. */
const CALIBRATION_REFERENCES = 8;

function entryMs(table: LatencyTable, key: LatencyKey): number | undefined {
  return table.entries[latencyKeyString(key)]?.medianMs;
}

/**
 * One interleaved measurement of every job, with identity models of each output shape (the per-call
 * overhead to take out), an identity model at the logits' shape (the overhead an architecture pays once),
 * K whole reference models of the configuration (calibration) and the caller's `alongside` models.
 *
 * Calibration: a whole model runs ~5-10 % slower than the sum of its ops timed alone (caches warm on
 * one small op, the next layer's weights and activations not). The new entries are scaled by the median,
 * over the references, of (whole − overhead − cached parts) / (new parts), clamped to [0.7, 1.5]; when new
 * entries are less than a quarter of a reference's time (a small top-up of a cached table) the factor is 1.
 */
async function measureJobs(jobs: Job[], table: LatencyTable, layout: NetworkLayout, options: LatencyTableOptions): Promise<number[]> {
  const alongside = options.alongside ?? [];
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  const built: TimedModel[] = [];
  const identities = new Map<string, TimedModel>();
  const references: { timed: TimedModel; query: ReturnType<typeof architectureQuery> }[] = [];
  const overheadShape: OpInputShape = [1, 1, Math.max(1, options.task.numClasses)];
  try {
    for (const job of jobs) built.push(job.kind === 'op' ? buildOpModel(job.key) : buildFixedPartModel(job.spec));
    for (const shape of [overheadShape, ...built.map(outputShape)]) {
      if (!identities.has(shape.join('x'))) identities.set(shape.join('x'), buildIdentityModel(shape));
    }
    const rng = new Rng(CALIBRATION_SEED);
    for (let i = 0; i < (options.calibrate ?? CALIBRATION_REFERENCES); i++) {
      const g = randomGenotype(layout.space, rng, { nodes: options.macro.nodes, blocks: options.blocks });
      const model = buildDerivedModel(g, options.task, options.macro);
      const inputs = [tf.zeros([1, ...options.task.inputShape])];
      references.push({ timed: { model, inputs, params: 0, dispose: () => (model.dispose(), tf.dispose(inputs)) }, query: architectureQuery(layout, g, options.task) });
    }
    const items = [...built, ...identities.values(), ...references.map((r) => r.timed), ...alongside];
    // V8 optimises tfjs-layers' JavaScript only after many calls: the first measurement of a process is
    // run once untimed, else its ops read up to 40 % slow against whole models measured later.
    if (!engineWarm) {
      await timeInterleaved(items, { repeats: 15, signal: options.signal });
      engineWarm = true;
    }
    const times = await timeInterleaved(items, { repeats, signal: options.signal, statistic: options.statistic });
    if (options.statistic) table.statistic = options.statistic;
    const identityMs = new Map([...identities.keys()].map((k, i) => [k, times[built.length + i]]));
    const referenceMs = times.slice(built.length + identities.size, built.length + identities.size + references.length);
    const alongsideMs = times.slice(built.length + identities.size + references.length);
    const overhead = identityMs.get(overheadShape.join('x')) ?? 0;
    if (Object.keys(table.entries).length === 0 || table.modelOverheadMs === 0) table.modelOverheadMs = overhead;

    const raw = new Map<string, number>();
    jobs.forEach((job, i) => raw.set(job.kind === 'op' ? latencyKeyString(job.key) : `@${job.stored.part}`, Math.max(0, times[i] - (identityMs.get(outputShape(built[i]).join('x')) ?? 0))));
    const factors = references.flatMap(({ query }, r) => {
      let cached = 0;
      let fresh = 0;
      const count = (id: string, cachedMs: number | undefined) => {
        if (raw.has(id)) fresh += raw.get(id) as number;
        else cached += cachedMs ?? 0;
      };
      count('@stem', table.fixedParts.find((f) => sameFixedPart(f, { ...query.stem, part: 'stem' }))?.medianMs);
      count('@head', table.fixedParts.find((f) => sameFixedPart(f, { ...query.head, part: 'head' }))?.medianMs);
      for (const key of query.ops) count(latencyKeyString(key), entryMs(table, key));
      const whole = referenceMs[r] - table.modelOverheadMs;
      return fresh > 0.25 * whole ? [(whole - cached) / fresh] : [];
    });
    const factor = factors.length > 0 ? Math.min(1.5, Math.max(0.7, median(factors))) : 1;
    table.calibration = { factor, references: factors.length };

    jobs.forEach((job, i) => {
      const ms = (raw.get(job.kind === 'op' ? latencyKeyString(job.key) : `@${job.stored.part}`) as number) * factor;
      if (job.kind === 'op') table.entries[latencyKeyString(job.key)] = { key: job.key, medianMs: ms, repeats, params: built[i].params };
      else table.fixedParts.push({ ...job.stored, medianMs: ms, params: built[i].params });
    });
    options.onProgress?.(jobs.length, jobs.length);
    return alongsideMs;
  } finally {
    for (const t of [...built, ...identities.values(), ...references.map((r) => r.timed)]) t.dispose();
  }
}

/** Fills `table` with every key of the configuration it lacks; returns how many were measured. */
export async function extendLatencyTable(
  table: LatencyTable,
  options: LatencyTableOptions,
): Promise<{ measured: number; fromCache: number; layout: NetworkLayout; alongsideMs: number[] }> {
  const layout = networkLayout({ space: options.space, task: options.task, macro: options.macro, blocks: options.blocks });
  const primitives = options.primitives ?? getSpace(options.space, { nodes: options.macro.nodes, blocks: options.blocks }).primitives;
  const keys = layoutKeys(layout, primitives);
  const jobs: Job[] = [];
  let fromCache = 0;
  for (const key of keys) {
    const id = latencyKeyString(key);
    if (table.entries[id]) fromCache++;
    else if (isFreeOp(key)) table.entries[id] = { key, medianMs: 0, repeats: 0, params: 0 };
    else jobs.push({ kind: 'op', key });
  }
  for (const { spec, stored } of fixedJobs(layout, options.task)) {
    if (table.fixedParts.some((f) => sameFixedPart(f, stored))) fromCache++;
    else jobs.push({ kind: 'fixed', spec, stored });
  }
  let alongsideMs: number[] = [];
  if (jobs.length > 0) {
    alongsideMs = await measureJobs(jobs, table, layout, options);
    table.updatedAt = new Date().toISOString();
    table.loadAverage = os.loadavg()[0];
  }
  return { measured: jobs.length, fromCache, layout, alongsideMs };
}

export function emptyLatencyTable(machineId: string, backend: string, space: LatencyTable['space'], repeats = DEFAULT_REPEATS): LatencyTable {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    machineId,
    backend: backend as BackendName,
    space,
    batch: 1,
    tfjsVersion: tfjsVersion(),
    kernels: kernelFingerprint(backend),
    timing: TIMING_METHOD,
    createdAt: now,
    updatedAt: now,
    entries: {},
    fixedParts: [],
    modelOverheadMs: 0,
    repeats,
    statistic: DEFAULT_STATISTIC,
  };
}

/**
 * The table of this machine, backend and space with every key the configuration needs: read from the
 * cache, missing keys measured and merged in, and saved back (temp file, then rename).
 */
export async function ensureLatencyTable(options: EnsureTableOptions): Promise<EnsuredTable> {
  const machineId = options.machineId ?? (await currentMachineId());
  // Our name: tfjs answers 'tensorflow' for both native builds, whose tables must not mix.
  const backend = options.backend ?? activeBackendName() ?? tf.getBackend();
  const file = options.file ?? latencyTableFile(machineId, backend, options.space);
  const cached = options.refresh ? undefined : loadLatencyTable(file, { machineId, backend, space: options.space, kernels: kernelFingerprint(backend) });
  const table = cached ?? emptyLatencyTable(machineId, backend, options.space, options.repeats);
  const { measured, fromCache, layout } = await extendLatencyTable(table, options);
  if ((measured > 0 || !cached) && !options.noSave) saveLatencyTable(file, table);
  return { table, file, measured, fromCache, layout };
}
