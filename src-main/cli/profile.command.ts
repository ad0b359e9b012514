import { Command, Option } from 'commander';
import { SpaceNameSchema } from '../contract/search-config.js';
import { BACKEND_ENV_VAR, BACKEND_ORDER, selectBackend } from '../engine/backend/select-backend.js';
import { defaultWorkload } from '../engine/search/backend-workload.js';
import { detectHardware } from '../engine/hardware/detect.js';
import { runMicroBench } from '../engine/hardware/micro-bench.js';
import { buildProfile } from '../engine/hardware/profile.js';
import { formatComparisonText, formatProfileText } from '../engine/hardware/profile-format.js';
import { compareProfiles, listProfiles, saveProfile } from '../engine/hardware/profile-store.js';
import type { SpaceName } from '../engine/space/space.types.js';
import { exitWithError, oneOf } from './cli-errors.js';

interface ProfileFlags {
  json?: boolean;
  bench: boolean;
  save: boolean;
  latencyTable?: string;
  backend?: string;
  timing: boolean;
}

/**
 * --latency-table SPACE: this machine's per-op latency table of a space for the quick preset's skeleton
 * on MNIST-sized images (HAR windows for har1d), from the cache or measured now and cached.
 */
async function runLatencyTable(space: SpaceName, flags: ProfileFlags): Promise<void> {
  const { defaultLatencySetup, latencyTableForSpace } = await import('../engine/hardware/latency-service.js');
  const { formatLatencyTable } = await import('../engine/hardware/latency-format.js');
  const say = (line: string): void => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  const { input, macro } = defaultLatencySetup(space);
  say(`Latency table of the ${space} space (${input}, C=${macro.channels}, ${space === 'chain' ? 'blocks' : `${macro.cells} cells`}): cached keys are read, missing ones measured…`);
  const { table, file, measured, fromCache } = await latencyTableForSpace(space, {
    noSave: !flags.save,
    onProgress: (done, total) => say(`  measured ${done}/${total} ops`),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(table, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatLatencyTable(table)}\n`);
  process.stdout.write(`\n${measured} measured now, ${fromCache} from the cache; ${flags.save ? (measured > 0 ? `saved to ${file}` : `cache: ${file}`) : 'not saved (--no-save)'}\n`);
}

async function runProfile(flags: ProfileFlags): Promise<void> {
  if (flags.latencyTable !== undefined) {
    await runLatencyTable(flags.latencyTable as SpaceName, flags);
    return;
  }
  // Progress goes to stderr, so --json output on stdout stays parseable.
  const say = (line: string): void => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  say(flags.timing
    ? 'Detecting hardware, starting every TensorFlow.js backend and timing a training step of the quick MNIST search on each (seconds; tens on an emulated GPU)…'
    : 'Detecting hardware and starting every TensorFlow.js backend…');
  const workload = flags.timing ? await defaultWorkload() : undefined;
  // survey: every backend is started (and timed) even when one is forced; the timing refreshes the cached choice.
  const [backend, hardware] = await Promise.all([selectBackend({ workload, survey: true, cache: 'refresh' }), detectHardware()]);
  let bench;
  if (flags.bench) {
    say(`Running micro-benchmarks on ${backend.name} (about 10 seconds)…`);
    bench = await runMicroBench({ onMeasure: (m) => say(`  ${m.label}, ${m.shape}: ${m.value.toFixed(2)} ${m.unit}`) });
  }
  const profile = await buildProfile({ backend, hardware, bench });

  let savedTo: string | undefined;
  let earlier: Awaited<ReturnType<typeof listProfiles>>['profiles'][number] | undefined;
  if (flags.save) {
    const { profiles } = await listProfiles(profile.machineId);
    earlier = profiles.filter((p) => p.profile.bench).pop();
    savedTo = saveProfile(profile);
  }

  if (flags.json) {
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatProfileText(profile)}\n`);
  if (earlier && profile.bench) {
    process.stdout.write(`\n${formatComparisonText(compareProfiles(earlier.profile, profile), earlier.profile.createdAt)}\n`);
  }
  if (savedTo) process.stdout.write(`\nSaved to ${savedTo}\n`);
}

/** `nas-studio profile`: what this computer offers NAS Studio, measured. */
export function profileCommand(): Command {
  return new Command('profile')
    .description('Show this computer\'s processor, memory, graphics, the TensorFlow.js backend in use and how fast it runs (micro-benchmarks).')
    .option('--json', 'print the profile as JSON')
    .option('--no-bench', 'skip the micro-benchmarks (they take about 10 seconds)')
    .option('--no-save', 'do not save the profile under $NAS_STUDIO_HOME/profiles (default ~/.nas-studio)')
    .addOption(new Option('--backend <name>', `use this backend (default: the fastest timed; same as ${BACKEND_ENV_VAR})`).choices(['auto', ...BACKEND_ORDER]))
    .option('--no-timing', 'do not time a training step on each backend')
    .option('--latency-table <space>', `per-op latency table of a search space (${SpaceNameSchema.options.join(', ')})`, oneOf('--latency-table', SpaceNameSchema.options))
    .action(async (flags: ProfileFlags) => {
      try {
        if (flags.backend) process.env[BACKEND_ENV_VAR] = flags.backend;
        await runProfile(flags);
      } catch (error) {
        exitWithError(error);
      }
    });
}
