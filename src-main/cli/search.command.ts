import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { SearchConfigSchema, type SearchConfigInput } from '../contract/search-config.js';
import { TargetIdSchema } from '../contract/targets.js';
import { BACKEND_ENV_VAR, BACKEND_ORDER } from '../engine/backend/select-backend.js';
import { exitWithError, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, UserFacingError } from './cli-errors.js';
import { runToCompletion } from './run-to-completion.js';

async function readConfigFile(file: string): Promise<SearchConfigInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserFacingError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  } catch (error) {
    throw new UserFacingError(`${file}: not a JSON object (${(error as Error).message}).`);
  }
  // Checked on its own first, so a bad value is reported against the file that holds it.
  const parsed = SearchConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserFacingError(`${file}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return value as SearchConfigInput;
}

/** `--data mnist` or a built-in name → builtin source; anything else is a path the user owns. */
function dataSource(value: string): SearchConfigInput['data'] {
  if (value === 'mnist' || value === 'fashion-mnist' || value === 'har-synthetic') return { kind: 'builtin', name: value };
  return { kind: 'path', path: path.resolve(value) };
}

interface SearchFlags {
  config?: string;
  task?: string;
  data?: string;
  space?: string;
  strategy?: string;
  preset?: string;
  epochs?: number;
  retrainEpochs?: number;
  seed?: number;
  out: string;
  batchSize?: number;
  channels?: number;
  cells?: number;
  searchSamples?: number;
  retrainSamples?: number;
  workers?: number;
  candidates?: number;
  raceSize?: number;
  raceSamples?: number;
  raceFinalSamples?: number;
  latencyTargetMs?: number;
  latencyWeight?: number;
  maxParams?: number;
  target?: string;
  noise?: 'gaussian' | 'salt-pepper';
  sigma?: number;
  collapseGuard?: string;
  skipBadFiles?: boolean;
  sampleRate?: number;
  windowSeconds?: number;
  strideSeconds?: number;
  columns?: string[];
  backend?: string;
}

/** Flags override the config file, which overrides the preset. */
export async function configFromFlags(flags: SearchFlags): Promise<SearchConfigInput> {
  const base: Record<string, unknown> = flags.config ? { ...(await readConfigFile(flags.config)) } : {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) base[key] = value;
  };
  set('task', flags.task);
  if (flags.data !== undefined) base.data = dataSource(flags.data);
  else if (flags.task === 'har' && base.data === undefined) base.data = { kind: 'builtin', name: 'har-synthetic' };
  set('space', flags.space);
  set('strategy', flags.strategy);
  set('preset', flags.preset);
  set('epochs', flags.epochs);
  set('retrainEpochs', flags.retrainEpochs);
  set('seed', flags.seed);
  set('batchSize', flags.batchSize);
  set('channels', flags.channels);
  set('cells', flags.cells);
  set('searchSamples', flags.searchSamples);
  set('retrainSamples', flags.retrainSamples);
  set('workers', flags.workers);
  set('candidates', flags.candidates);
  set('raceSize', flags.raceSize);
  set('raceSamples', flags.raceSamples);
  set('raceFinalSamples', flags.raceFinalSamples);
  set('latencyTargetMs', flags.latencyTargetMs);
  set('latencyWeight', flags.latencyWeight);
  set('maxParams', flags.maxParams);
  set('target', flags.target);
  set('collapseGuard', flags.collapseGuard);
  set('skipBadFiles', flags.skipBadFiles);
  set('sampleRateHz', flags.sampleRate);
  set('windowSeconds', flags.windowSeconds);
  set('strideSeconds', flags.strideSeconds);
  set('columns', flags.columns);
  if (flags.noise !== undefined || flags.sigma !== undefined) {
    base.noise = { kind: flags.noise ?? 'gaussian', ...(flags.sigma !== undefined ? { sigma: flags.sigma } : {}) };
  }
  return base as SearchConfigInput;
}

export function searchCommand(): Command {
  return new Command('search')
    .description('Search an architecture, retrain it and evaluate it; prints the path of result.json last.')
    .option('--config <file>', 'a JSON search config (flags override it)')
    .addOption(new Option('--task <task>', 'what to learn').choices(['classification', 'denoising', 'har']))
    .option('--data <mnist|fashion-mnist|har-synthetic|PATH>', 'built-in data set (fashion-mnist tells architectures apart better than mnist) or a path to your own data')
    .addOption(new Option('--space <space>', 'search space (default: chain for images, darts for denoising, har1d for HAR)').choices(['darts', 'nb201', 'chain', 'har1d']))
    .addOption(new Option('--strategy <strategy>', 'search strategy (default rank-race: rank candidates without training, race the best on validation data)').choices(['rank-race', 'darts', 'gdas', 'pcdarts', 'fbnet', 'random']))
    .addOption(new Option('--preset <preset>', 'compute budget').choices(['quick', 'standard']))
    .option('--epochs <n>', 'search epochs', positiveInt('--epochs'))
    .option('--retrain-epochs <n>', 'retraining epochs', positiveInt('--retrain-epochs'))
    .option('--seed <n>', 'random seed', nonNegativeInt('--seed'))
    .option('--out <dir>', 'folder that receives the run folder', 'runs')
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'))
    .option('--channels <n>', 'supernet width C', positiveInt('--channels'))
    .option('--cells <n>', 'number of cells', positiveInt('--cells'))
    .option('--search-samples <n>', 'training samples read during the search (0 = all)', nonNegativeInt('--search-samples'))
    .option('--retrain-samples <n>', 'training samples used for retraining (0 = all)', nonNegativeInt('--retrain-samples'))
    .option('--workers <n>', 'worker threads for data-parallel training', positiveInt('--workers'))
    .option('--candidates <n>', 'rank-race: architectures scored without training', positiveInt('--candidates'))
    .option('--race-size <n>', 'rank-race: best-scored candidates that enter the race', positiveInt('--race-size'))
    .option('--race-samples <n>', "rank-race: training images in the race's first round", positiveInt('--race-samples'))
    .option('--race-final-samples <n>', "rank-race: training images in the race's final round (trained as the retraining will)", positiveInt('--race-final-samples'))
    .option('--latency-target-ms <ms>', 'FBNet: target latency (batch 1, this machine)', positiveNumber('--latency-target-ms'))
    .option('--latency-weight <w>', 'FBNet: weight of the latency term (0 turns it off)', nonNegativeNumber('--latency-weight'))
    .option('--max-params <n>', 'size budget of the derived model in parameters', positiveInt('--max-params'))
    .addOption(new Option('--target <device>', "the device the model must fit (its SRAM and flash) and whose latency is estimated; default host, this machine (docs/targets.md)").choices(TargetIdSchema.options))
    .addOption(new Option('--noise <kind>', 'denoising: noise model').choices(['gaussian', 'salt-pepper']))
    .option('--sigma <s>', 'denoising: Gaussian sigma on a 0-255 scale (default 25)', positiveNumber('--sigma'))
    .addOption(new Option('--collapse-guard <method>', 'guard against the collapse to skip connections').choices(['none', 'skip-count-early-stop', 'darts-minus', 'beta-darts']))
    .option('--skip-bad-files', 'skip unreadable files in your data instead of stopping')
    .option('--sample-rate <hz>', 'HAR recordings: sample rate of files without a time column (default: the file name\'s, e.g. walk_01_26Hz.csv)', positiveNumber('--sample-rate'))
    .option('--window-seconds <s>', 'HAR recordings: window length in seconds (default 2.56)', positiveNumber('--window-seconds'))
    .option('--stride-seconds <s>', 'HAR recordings: seconds between window starts (default half the window)', positiveNumber('--stride-seconds'))
    .option('--columns <names>', 'HAR recordings: comma-separated channel columns (col1,col2,… in files without a header)', (v: string) => v.split(',').map((c) => c.trim()).filter(Boolean))
    .addOption(new Option('--backend <name>', `TensorFlow.js backend (default auto: the fastest of a timed training step; same as ${BACKEND_ENV_VAR})`).choices(['auto', ...BACKEND_ORDER]))
    .action(async (flags: SearchFlags) => {
      try {
        if (flags.backend) process.env[BACKEND_ENV_VAR] = flags.backend;
        await runToCompletion(await configFromFlags(flags), { outDir: path.resolve(flags.out) });
      } catch (error) {
        exitWithError(error);
      }
    });
}
