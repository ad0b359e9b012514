/** The tfjs backends NAS Studio can run on, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** One backend we tried while starting, and in plain words why it was or was not used. */
export interface BackendAttempt {
  name: BackendName;
  loaded: boolean;
  why: string;
}

/** What selectBackend chose and why; shown to the user on the hardware page. */
export interface BackendReport {
  name: BackendName;
  tried: BackendAttempt[];
  /** wasm only: whether the SIMD build is in use. */
  simd?: boolean;
  /** wasm only: worker threads used by the backend (1 when threads are off). */
  threads?: number;
}
