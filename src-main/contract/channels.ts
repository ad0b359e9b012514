import { z } from 'zod';
import { DataSourceSchema, SearchConfigSchema, SpaceNameSchema, TaskKindSchema } from './search-config.js';
import type { RunEvent } from './events.js';
import type { RunResult } from './result.js';
import type { ValidationReport } from './data-report.js';

/**
 * The one contract between the renderer and whatever hosts the engine (Electron main over IPC, or the
 * serve mode over WebSocket). Every invoke channel has a zod request schema; the host validates each
 * request before it reaches a handler, and returns { result } or { error: { name, message } }.
 */
const runId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'not a run id');

export const InvokeRequestSchemas = {
  'app:info': z.object({}).strict(),
  'hardware:profile': z.object({ refresh: z.boolean().default(false) }).strict(),
  'hardware:latencyTable': z.object({ space: SpaceNameSchema, rebuild: z.boolean().default(false) }).strict(),
  'data:inspect': z
    .object({
      task: TaskKindSchema,
      source: DataSourceSchema,
      /** HAR recordings: rate of files without a time column, window seconds, channel columns (as in the search config). */
      har: z.object({ sampleRateHz: z.number().positive().max(100_000), windowSeconds: z.number().positive().max(600), columns: z.array(z.string().min(1).max(200)).min(1).max(64) }).partial().strict().optional(),
    })
    .strict(),
  'dialog:pickPath': z.object({ kind: z.enum(['folder', 'file']), title: z.string().max(200).optional() }).strict(),
  'search:estimate': z.object({ config: SearchConfigSchema }).strict(),
  'search:start': z.object({ config: SearchConfigSchema }).strict(),
  'search:pause': z.object({ runId }).strict(),
  'search:resume': z.object({ runId }).strict(),
  'search:cancel': z.object({ runId }).strict(),
  'runs:list': z.object({ task: TaskKindSchema.optional(), status: z.string().max(40).optional() }).strict(),
  'runs:get': z.object({ runId }).strict(),
  'export:run': z
    .object({ runId, formats: z.array(z.enum(['tfjs', 'onnx', 'tflite', 'tflite-int8', 'c'])).min(1) })
    .strict(),
  'export:saveTo': z.object({ runId, folder: z.string().min(1).max(4096) }).strict(),
} as const;

export type InvokeChannel = keyof typeof InvokeRequestSchemas;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof InvokeRequestSchemas)[C]>;
export type ParsedInvokeRequest<C extends InvokeChannel> = z.output<(typeof InvokeRequestSchemas)[C]>;

export interface AppInfo {
  version: string;
  mode: 'electron' | 'serve';
  platform: string;
}

export interface RunSummary {
  runId: string;
  task: string;
  dataset: string;
  space: string;
  strategy: string;
  preset: string;
  status: 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
  createdAt: string;
  genotype?: string;
  params?: number;
  metric?: { name: string; value: number };
  latencyMs?: number;
  error?: string;
  /** The machine it ran on (result.json's machine): latency is compared only between runs of one machine. */
  machineId?: string;
  machine?: string;
}

export interface DataInspection {
  report: ValidationReport;
  /** A few samples as PNG data URLs, with their labels (denoising: a clean patch, then the same patch noisy). */
  previews: { label: string; dataUrl: string }[];
  /** HAR: what was found, before anything trains. */
  har?: HarInspection;
}

/** What the wizard shows of sensor data: classes, files and minutes per class, columns, rate, a few seconds per class. */
export interface HarInspection {
  format: string;
  classes: { name: string; files: number; minutes: number }[];
  /** Every column of a recording (what channels can be picked from), and the ones used. */
  columns: string[];
  channels: string[];
  sampleRateHz?: number;
  /** Recordings per source of their rate: timestamps, config, file name. */
  rateSources: Record<string, number>;
  windowSeconds?: number;
  windowSamples: number;
  /** A few seconds of one recording per class at the common rate: values[channel][sample]. */
  traces: { label: string; file: string; rateHz?: number; values: number[][] }[];
}

export interface ExportReportEntry {
  format: string;
  file: string;
  bytes: number;
  verified: boolean;
  maxAbsDiff?: number;
  runtime?: string;
  note?: string;
}

export interface ExportReport {
  params: number;
  macs: number;
  peakActivationBytes: number;
  predictedLatencyMs?: number;
  metricBefore?: number;
  metricAfterInt8?: number;
  exports: ExportReportEntry[];
  /** Added by export: peak live activations of one int8 inference. */
  peakActivationBytesInt8?: number;
  /** Added by export: parameters after batch-norm folding, as deployed. */
  deployedParams?: number;
  /** Added by export: per (fused) layer output shape, parameters and MACs. */
  layers?: { name: string; kind: string; outputShape: number[]; params: number; macs: number }[];
  /** Added by export: int8 model input/output quantisation, real = scale * (q - zeroPoint). */
  int8Io?: { input: { scale: number; zeroPoint: number }; output: { scale: number; zeroPoint: number } };
  /** Added by export: the TFLite Micro tensor arena to allocate (bytes), measured by TFLite Micro where it ran. */
  tensorArenaBytes?: number;
  tensorArenaSource?: 'tflite-micro' | 'estimate';
  /** Added by export: flash the model takes on a device (the int8 .tflite bytes). */
  flashBytes?: number;
  /** Added by export: the int8 model run in TFLite Micro on the check inputs, in the arena it measured. */
  microcontroller?: { runtime: string; verified: boolean; samples: number; arenaBytes?: number; agreement?: number; maxAbsDiff?: number; note?: string };
  /** Added by export: how many test inputs metricBefore / metricAfterInt8 were computed on. */
  metricSamples?: number;
  /** Added by export: name of the metric in metricBefore / metricAfterInt8. */
  metricName?: string;
  /** Added by the engine host: the folder the files are in (a full path on the engine's machine) and every file there, relative to it. */
  folder?: string;
  files?: string[];
}

/** Response type of each invoke channel. */
export interface InvokeResponses {
  'app:info': AppInfo;
  'hardware:profile': unknown;
  'hardware:latencyTable': unknown;
  'data:inspect': DataInspection;
  'dialog:pickPath': { path: string | null };
  /** `preset`: the numbers the preset picked for the fields left empty (null: none), shown in the wizard. */
  'search:estimate': { seconds: number; note: string; preset?: Record<string, number | null> };
  'search:start': { runId: string };
  'search:pause': { ok: true };
  'search:resume': { ok: true };
  'search:cancel': { ok: true };
  'runs:list': RunSummary[];
  'runs:get': { summary: RunSummary; result?: RunResult; events: RunEvent[]; images: { name: string; dataUrl: string }[]; exportReport?: ExportReport };
  'export:run': ExportReport;
  'export:saveTo': { folder: string; files: string[] };
}

/** Events pushed from the host to the renderer. */
export interface EventPayloads {
  'run:event': { runId: string; event: RunEvent };
  'run:status': { runId: string; status: RunSummary['status']; error?: string };
  'engine:status': { state: 'starting' | 'ready' | 'crashed' | 'restarting'; message?: string };
}
export type EventChannel = keyof EventPayloads;

/** What crosses the wire for an invoke. Errors are data, never thrown across a process boundary. */
export type InvokeReply<C extends InvokeChannel> = { result: InvokeResponses[C] } | { error: { name: string; message: string } };

/** A host implements every channel: a missing key is a compile error. */
export type InvokeHandlers = { [C in InvokeChannel]: (request: ParsedInvokeRequest<C>) => Promise<InvokeResponses[C]> };

/** The one object the preload exposes (and the serve client mimics). */
export interface NasStudioApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponses[C]>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
