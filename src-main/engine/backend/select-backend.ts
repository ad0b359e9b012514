import * as tf from '@tensorflow/tfjs';
import type { BackendAttempt, BackendName, BackendReport } from './backend.types.js';
import { registerBatchNormGradient } from './batch-norm-gradient.js';
import { patchBatchNormLayerTraining } from './batch-norm-layer-training.js';
import { registerAvgPoolGradientFix } from './avg-pool-gradient.js';
import { choiceKey, defaultChoiceCacheFile, readChoice, writeChoice } from './backend-choice-cache.js';
import { loadBackend, tfBackendName, type LoadOutcome } from './backend-loaders.js';
import { timeWorkload, type BackendWorkload } from './backend-timing.js';
import { registerDilatedConvGradients } from './dilated-conv-gradients.js';
import { registerWasmBatchNorm } from './wasm-batch-norm.js';
import { registerWasmGradientKernels } from './wasm-grad-kernels.js';
import { guardWasmHeap } from './wasm-heap-guard.js';

export type { BackendAttempt, BackendName, BackendReport } from './backend.types.js';
export type { BackendWorkload, WorkloadRun } from './backend-timing.js';

export interface SelectBackendOptions {
  /** Try this backend first; the usual order follows if it cannot start (no workload timing then). */
  prefer?: BackendName;
  /**
   * Time a few training steps of this workload on every backend that loads and use the fastest; the
   * choice is cached per machine and workload key (backend-choice-cache.ts).
   */
  workload?: BackendWorkload;
  /** Try (and, with a workload, time) every backend even when one is forced: `nas-studio profile`. */
  survey?: boolean;
  /** 'use' (default): read a cached choice, write a new one; 'refresh': time again and write; 'off': neither. */
  cache?: 'use' | 'refresh' | 'off';
  /** The cache file (default <NAS_STUDIO_HOME>/backend-choices.json). */
  cacheFile?: string;
}

/** Tried in this order: the native GPU build, WebGPU, native CPU, WebAssembly, plain JavaScript. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
export const BACKEND_ENV_VAR = 'NAS_STUDIO_BACKEND';

let selection: Promise<BackendReport> | undefined;
let chosen: BackendName | undefined;
/** The backend active now: the one being timed while selectBackend runs, then the chosen one. */
let active: BackendName | undefined;

/**
 * Picks the tfjs backend (once per process), registers the gradients the engine needs on it, and explains
 * every choice in words a non-engineer understands. With a workload, every backend that loads is timed on
 * it and the fastest wins; without one, the first that loads in BACKEND_ORDER, except an emulated GPU.
 * NAS_STUDIO_BACKEND=tensorflow-gpu|webgpu|tensorflow|wasm|cpu forces one (an error if it cannot start);
 * `auto` or empty lets NAS Studio choose.
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  selection ??= pick(options).catch((err: unknown) => {
    selection = undefined;
    throw err;
  });
  return selection;
}

/** The backend tensors are on now (during selection, the one being started or timed); undefined before. */
export function activeBackendName(): BackendName | undefined {
  return active;
}

/** Whether selectBackend has been called in this process (its choice may still be in flight). */
export function backendSelectionStarted(): boolean {
  return selection !== undefined;
}

/** The backend selectBackend chose, or undefined before it has finished. */
export function currentBackendName(): BackendName | undefined {
  return chosen;
}

/** The backend NAS_STUDIO_BACKEND forces, undefined for none or `auto`; an error for a name we do not know. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const raw = env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (!raw || raw === 'auto') return undefined;
  if (!(BACKEND_ORDER as readonly string[]).includes(raw)) {
    throw new Error(`${BACKEND_ENV_VAR}=${raw} is not a backend NAS Studio knows (src-main/engine/backend/select-backend.ts); use one of: auto, ${BACKEND_ORDER.join(', ')}`);
  }
  return raw as BackendName;
}

/** Gradients and kernels the engine needs, registered while `name` is the active backend. */
function prepareForTraining(name: BackendName): void {
  registerDilatedConvGradients();
  registerBatchNormGradient();
  patchBatchNormLayerTraining();
  registerAvgPoolGradientFix();
  if (name === 'wasm') {
    registerWasmGradientKernels();
    registerWasmBatchNorm();
    guardWasmHeap();
  }
  silenceCpuBackendAdvert();
}

interface Loaded {
  name: BackendName;
  outcome: LoadOutcome;
}

async function pick(options: SelectBackendOptions): Promise<BackendReport> {
  const forced = forcedBackend();
  let order: readonly BackendName[] = BACKEND_ORDER;
  if (forced && !options.survey) order = [forced];
  else if (options.prefer && !forced) order = [options.prefer, ...BACKEND_ORDER.filter((n) => n !== options.prefer)];
  const timeThem = Boolean(options.workload) && (!forced || options.survey);
  const wantAll = timeThem || Boolean(options.survey);

  const tried: BackendAttempt[] = [];
  const loaded: Loaded[] = [];
  for (const name of order) {
    active = name;
    const outcome = await loadBackend(name);
    tried.push({ name, loaded: outcome.loaded, why: outcome.why, ...(outcome.adapter ? { adapter: outcome.adapter } : {}) });
    if (!outcome.loaded) continue;
    prepareForTraining(name);
    loaded.push({ name, outcome });
    if (!wantAll && !(outcome.software && !forced && order.length > 1)) break;
  }
  if (loaded.length === 0) {
    const reasons = tried.map((t) => `${t.name}: ${t.why}`).join('; ');
    throw new Error(forced
      ? `${BACKEND_ENV_VAR}=${forced} was requested but that backend could not start (src-main/engine/backend/select-backend.ts): ${reasons}`
      : `No TensorFlow.js backend could start (src-main/engine/backend/select-backend.ts): ${reasons}`);
  }

  let winner: Loaded;
  let chosenBy: BackendReport['chosenBy'];
  if (timeThem || (options.survey && options.workload)) {
    const timed = await timeLoaded(loaded, tried, options);
    winner = forced ? (loaded.find((l) => l.name === forced) ?? loaded[0]) : timed.winner;
    chosenBy = forced ? 'forced' : timed.fromCache ? 'cached' : 'timed';
  } else if (forced) {
    winner = loaded.find((l) => l.name === forced) ?? loaded[0];
    chosenBy = 'forced';
  } else {
    // Untimed, an emulated GPU (SwiftShader) is never chosen: it is always slower than the processor's engines.
    winner = loaded.find((l) => !l.outcome.software) ?? loaded[0];
    chosenBy = 'first';
  }
  if (forced && winner.name !== forced) {
    const why = tried.find((t) => t.name === forced)?.why ?? 'not tried';
    throw new Error(`${BACKEND_ENV_VAR}=${forced} was requested but that backend could not start (src-main/engine/backend/select-backend.ts): ${why}`);
  }
  if (tf.getBackend() !== tfBackendName(winner.name)) await tf.setBackend(tfBackendName(winner.name));
  await tf.ready();
  prepareForTraining(winner.name);
  for (const attempt of tried) {
    if (attempt.loaded && attempt.name !== winner.name) attempt.why = `${attempt.why} ${notChosen(attempt, winner.name, chosenBy)}`;
    if (attempt.name === winner.name) attempt.why = `In use: ${lowerFirst(attempt.why)}`;
  }
  chosen = winner.name;
  active = winner.name;
  const report: BackendReport = { name: winner.name, tried, chosenBy };
  if (winner.outcome.simd !== undefined) report.simd = winner.outcome.simd;
  if (winner.outcome.threads !== undefined) report.threads = winner.outcome.threads;
  if (winner.outcome.adapter) report.adapter = winner.outcome.adapter;
  if (winner.outcome.software) report.emulated = true;
  if (options.workload) report.workload = options.workload.key;
  return report;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function notChosen(attempt: BackendAttempt, winner: BackendName, how: BackendReport['chosenBy']): string {
  if (how === 'forced') return `Not used: ${winner} was asked for.`;
  if (/failed on this model's training step/.test(attempt.why)) return 'Not used.';
  if (attempt.stepMs !== undefined) return `Not used: a training step took ${attempt.stepMs.toFixed(0)} ms here, ${winner} was faster.`;
  if (how === 'first') return `Not used: ${winner} comes first${attempt.adapter ? ' (an emulated GPU is chosen only when asked for or timed fastest)' : ''}.`;
  return `Not used: ${winner} was faster.`;
}

/** Times the workload on every loaded backend (or reads an earlier timing) and returns the fastest. */
async function timeLoaded(loaded: Loaded[], tried: BackendAttempt[], options: SelectBackendOptions): Promise<{ winner: Loaded; fromCache: boolean }> {
  const workload = options.workload!;
  const mode = options.cache ?? 'use';
  const file = options.cacheFile ?? defaultChoiceCacheFile();
  const key = choiceKey(loaded.map((l) => ({ name: l.name, adapter: l.outcome.adapter })), workload.key);
  const attempt = (name: BackendName) => tried.find((t) => t.name === name)!;
  const cached = mode === 'use' ? readChoice(file, key) : undefined;
  if (cached && loaded.some((l) => l.name === cached.backend)) {
    for (const l of loaded) {
      const ms = cached.stepMs[l.name];
      if (ms !== undefined) Object.assign(attempt(l.name), { stepMs: ms, timing: 'cached' });
    }
    return { winner: loaded.find((l) => l.name === cached.backend)!, fromCache: true };
  }
  let best: { l: Loaded; ms: number } | undefined;
  const stepMs: Partial<Record<BackendName, number>> = {};
  // wasm first: its step is short and known, and gives the bound that cuts a much slower backend after one step.
  const timingOrder = [...loaded.filter((l) => l.name === 'wasm'), ...loaded.filter((l) => l.name !== 'wasm')];
  for (const l of timingOrder) {
    const skip = l.name === forcedBackend() ? undefined : notTimed(l, best !== undefined, Boolean(options.survey));
    if (skip) {
      attempt(l.name).why += ` Not timed: ${skip}.`;
      continue;
    }
    await tf.setBackend(tfBackendName(l.name));
    active = l.name;
    prepareForTraining(l.name);
    try {
      const timing = await timeWorkload(workload, { bestMs: best?.ms });
      Object.assign(attempt(l.name), { stepMs: timing.stepMs, timing: 'measured' });
      if (timing.cut) attempt(l.name).why += ` Timing stopped: ${timing.cut}.`;
      stepMs[l.name] = timing.stepMs;
      if (!best || timing.stepMs < best.ms) best = { l, ms: timing.stepMs };
    } catch (err) {
      attempt(l.name).why += ` It failed on this model's training step (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`;
    }
  }
  const winner = best?.l ?? loaded[loaded.length - 1];
  if (mode !== 'off' && best) writeChoice(file, key, { backend: winner.name, stepMs, measuredAt: new Date().toISOString() });
  return { winner, fromCache: false };
}

/**
 * Backends that are not worth timing: the plain JavaScript engine once another backend was timed (it runs
 * wasm's kernels without SIMD: a quick MNIST step took 119 s on cpu against 2.0 s on wasm here, and its one
 * warm-up step is all the cost), and outside a survey an emulated GPU (never faster than the processor).
 */
function notTimed(l: Loaded, anotherTimed: boolean, survey: boolean): string | undefined {
  if (l.name === 'cpu' && anotherTimed) return 'the plain JavaScript engine is used only when nothing faster starts (one of its training steps costs tens of times more)';
  if (l.outcome.software && !survey) return 'an emulated graphics card is slower than the processor; it is used only when asked for';
  return undefined;
}

/**
 * On its first tensor the cpu backend prints "install our node backend" to the console; the report
 * above already says why native TensorFlow is not used, so the banner would only confuse users.
 */
function silenceCpuBackendAdvert(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
