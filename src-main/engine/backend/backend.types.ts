/** The tfjs backends NAS Studio can run on, in the order they are tried. */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** One backend we tried while starting, and in plain words why it was or was not used. */
export interface BackendAttempt {
  name: BackendName;
  loaded: boolean;
  why: string;
  /** webgpu: the adapter Dawn gave (its description, vendor and architecture), e.g. "SwiftShader driver 5.0.0". */
  adapter?: string;
  /** Median time of one training step of the workload on this backend (ms), when it was timed. */
  stepMs?: number;
  /** How the step time was had: measured now, or read from the per-machine cache (backend-choice-cache.ts). */
  timing?: 'measured' | 'cached';
}

/** What selectBackend chose and why; shown to the user on the hardware page. */
export interface BackendReport {
  name: BackendName;
  tried: BackendAttempt[];
  /** wasm only: whether the SIMD build is in use. */
  simd?: boolean;
  /** wasm only: worker threads used by the backend (1 when threads are off). */
  threads?: number;
  /** webgpu: the adapter in use. */
  adapter?: string;
  /** webgpu on a software adapter (SwiftShader): a GPU emulated on the processor, whose timings describe the emulator. */
  emulated?: boolean;
  /**
   * How the backend was chosen: 'forced' (NAS_STUDIO_BACKEND, --backend or the app setting), 'timed' (the
   * fastest step of the workload among those that loaded), 'cached' (an earlier timing of the same workload on
   * this machine), or 'first' (no workload to time: the first that loaded in the usual order).
   */
  chosenBy?: 'forced' | 'timed' | 'cached' | 'first';
  /** The workload timed, e.g. "classification 28x28x1 · nb201 C4 ×3 cells · batch 64 · derived model". */
  workload?: string;
}

/** Backends whose kernels run on a graphics card: their work is not this process's CPU time. */
export const GPU_BACKENDS: ReadonlySet<string> = new Set(['tensorflow-gpu', 'webgpu', 'webgl']);
