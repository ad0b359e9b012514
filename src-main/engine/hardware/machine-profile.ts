import { backendSelectionStarted, selectBackend } from '../backend/select-backend.js';
import { detectHardware } from './detect.js';
import type { BenchMeasure, MachineProfile } from './hardware.types.js';
import { runMicroBench } from './micro-bench.js';
import { buildProfile, machineIdOf } from './profile.js';
import { listProfiles, saveProfile, type ProfileStoreOptions } from './profile-store.js';

export interface GetMachineProfileOptions extends ProfileStoreOptions {
  /** Measure again even when a saved profile of this machine and backend exists. */
  refresh?: boolean;
  /** Run the micro-benchmarks when measuring (default true). */
  bench?: boolean;
  signal?: AbortSignal;
  onMeasure?: (measure: BenchMeasure) => void;
}

/**
 * The entry point for hosts (the app's hardware:profile channel): the latest saved profile of this machine
 * on the backend in use, or, when there is none or `refresh` is set, a new one, measured and saved.
 * Benchmarks take ~10 s, so reusing a saved profile keeps the hardware page instant after the first visit.
 */
export async function getMachineProfile(options: GetMachineProfileOptions = {}): Promise<MachineProfile> {
  const [backend, hardware] = await Promise.all([chooseBackend(), detectHardware()]);
  const withBench = options.bench ?? true;
  if (!options.refresh) {
    const { profiles } = await listProfiles(machineIdOf(hardware), options);
    const reusable = profiles.filter((p) => p.profile.backend.name === backend.name && (!withBench || p.profile.bench)).pop();
    if (reusable) return reusable.profile;
  }
  const bench = withBench ? await runMicroBench({ signal: options.signal, onMeasure: options.onMeasure }) : undefined;
  const profile = await buildProfile({ backend, hardware, bench });
  saveProfile(profile, options);
  return profile;
}

/**
 * The backend this process uses. When nothing has chosen one yet (the Hardware page opened before any
 * search), every backend is started and timed on the quick MNIST search's training step, as
 * `nas-studio profile` does; otherwise the choice already made stands (a process keeps one backend).
 */
async function chooseBackend(): ReturnType<typeof selectBackend> {
  if (backendSelectionStarted()) return selectBackend();
  const { defaultWorkload } = await import('../search/backend-workload.js');
  return selectBackend({ workload: await defaultWorkload(), survey: true });
}
