import type { AlphaProbs } from './alphas.js';
import type { SearchDecision } from './decision.js';
import type { ResolvedSearchConfig } from './search-config.js';
import type { ResultTarget, TargetFit } from './targets.js';

/** Classification and HAR report accuracy (HAR adds macro-F1 and the confusion matrix); denoising PSNR/SSIM. */
export interface TestMetrics {
  accuracy?: number;
  macro_f1?: number;
  confusion?: number[][];
  psnr?: number;
  ssim?: number;
  psnr_noisy?: number;
  psnr_baseline?: number;
  ssim_baseline?: number;
  loss?: number;
}

/**
 * How a HAR model's input is made from raw sensor samples: an exported model is useless without it.
 * Saved in result.json (`har`) and beside the model (model/preprocessing.json); docs/your-data.md.
 */
export interface HarPreprocessing {
  /** Every recording was resampled to this rate before windowing. */
  sampleRateHz: number;
  windowSeconds: number;
  strideSeconds: number;
  /** Model input length: windowSeconds × sampleRateHz, rounded. */
  windowSamples: number;
  strideSamples: number;
  /** Channel names in input order (the last axis of the model input). */
  channels: string[];
  /** From the training split only; the model reads (raw − mean) / std per channel. */
  normalization: { mean: number[]; std: number[] };
  /** What the held-out splits hold whole: recordings, subjects, or the publisher's own split. */
  splitBy: 'recording' | 'subject' | 'publisher';
  /** Recordings on each side when split by recording. */
  recordings?: { train: number; validation: number; test: number };
}

/**
 * result.json — a contract other tools read. Field names are fixed by the engine issue; add fields,
 * never rename them.
 */
export interface RunResult {
  runId: string;
  task: string;
  dataset: string;
  space: string;
  strategy: string;
  preset: string;
  seed: number;
  backend: string;
  /** webgpu: the graphics adapter the run trained on, e.g. "SwiftShader driver 5.0.0 (google swiftshader)". */
  backendAdapter?: string;
  /** How the backend was chosen (forced, timed, cached, first) and each timed backend's training step in ms. */
  backendChoice?: { chosenBy: string; workload?: string; stepMs: Record<string, number> };
  /** The literature string (DARTS Genotype(...) or NB201 |op~i|+...). */
  genotype: string;
  /** Trainable parameters of the retrained model. */
  params: number;
  /** `validation`: the split carved from the training data that every choice was made on. */
  metrics: { test: TestMetrics; validation?: TestMetrics };
  searchSeconds: number;
  retrainSeconds: number;
  alphas: AlphaProbs;
  config: ResolvedSearchConfig;
  /** Genotype at the end of every search epoch. */
  genotypeHistory: string[];
  collapseGuard: { method: string; triggered: boolean; message?: string };
  /** How decided the search was (per-edge margins, or the ranking and the race), in plain words too. */
  decision?: SearchDecision;
  /** A fixed, well-known architecture of about the same size, trained with the same budget and seed. */
  baseline?: { name: string; params: number; metrics: { test: TestMetrics } };
  latency?: { predictedMs?: number; measuredMs?: number; targetMs?: number };
  /** The device searched for, and what the int8 model needs on it (estimates: docs/targets.md). */
  target?: ResultTarget;
  fit?: TargetFit;
  hardware?: unknown;
  /** HAR: sample rate, window in seconds, channels and normalisation the model's input needs. */
  har?: HarPreprocessing;
  /** The machine and backend the run ran on (latency and time are only comparable on the same one). */
  machine?: { id: string; label: string };
  createdAt: string;
  nodeVersion: string;
}
