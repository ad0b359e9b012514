import type { HarPreprocessing } from '../../contract/result.js';
import type { ResolvedSearchConfig } from '../../contract/search-config.js';
import type { ArrayDataset, ValidationReport } from '../data/dataset.types.js';
import { loadHar, UCI_HAR_TIMING } from '../data/har/load-har.js';
import { UCI_HAR_CHANNELS } from '../data/har/synthetic-har.js';
import { splitByRecording } from '../data/har/split-by-recording.js';
import { splitBySubject } from '../data/har/split-by-subject.js';
import { generateSyntheticHar } from '../data/har/synthetic-har.js';
import { loadUserImages } from '../data/user-images.js';
import { loadDenoisingSource } from '../data/denoising-images.js';
import { loadMnist } from '../data/mnist.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { holdOut } from '../data/split.js';
import { computeChannelStats } from '../tasks/har.task.js';
import { createTask } from '../tasks/task-factory.js';
import type { Task } from '../tasks/task.types.js';

export interface TaskData {
  task: Task;
  /** Training data (the validation split taken out): the search splits it into weight/arch halves, retraining reads it. */
  train: ArrayDataset;
  /** Carved from the training data: every choice (the race, the verdict) is made on it; never the test split. */
  validation: ArrayDataset;
  /** Held out for the final evaluation only. */
  test: ArrayDataset;
  /** Name recorded in result.json. */
  dataset: string;
  report?: ValidationReport;
  /** HAR: what the model's input needs (rate, window seconds, channels, training-split normalisation). */
  har?: HarPreprocessing;
}

/** What a loader gives before the task is built; a loader that splits by recording brings its own validation split. */
type Loaded = Omit<TaskData, 'task' | 'validation' | 'har'> & { validation?: ArrayDataset; har?: Omit<HarPreprocessing, 'normalization'> };

const VALIDATION_MAX = 5_000;

/** Fraction of user data held out as the test set when the data comes without one. */
const USER_TEST_FRACTION = 0.2;

/** Share of each class's recordings held out for validation (the test takes USER_TEST_FRACTION). */
const RECORDING_VALIDATION_FRACTION = 0.1;

/** Built-in synthetic HAR: 30 simulated people like UCI HAR's 30 volunteers. */
const SYNTHETIC_HAR = { subjects: 30, windowsPerActivity: 40 } as const;

async function loadImages(config: ResolvedSearchConfig): Promise<Loaded> {
  if (config.data.kind === 'builtin') {
    if (config.data.name === 'har-synthetic') throw new Error(`The built-in set '${config.data.name}' holds sensor windows, not images: use --data mnist, --data fashion-mnist or a folder.`);
    const { train, test } = config.data.name === 'fashion-mnist' ? loadFashionMnist() : loadMnist();
    return { train, test, dataset: config.data.name };
  }
  // Denoising learns from clean images as they come (no class folders); patches of one image stay on one side.
  const loaded =
    config.task === 'denoising'
      ? await loadDenoisingSource(config.data.path, { skipBadFiles: config.skipBadFiles, seed: config.seed })
      : await loadUserImages(config.data.path, { skipBadFiles: config.skipBadFiles });
  const { train, test } = loaded.test ? { train: loaded.dataset, test: loaded.test } : holdOut(loaded.dataset, USER_TEST_FRACTION, config.seed);
  return { train, test, dataset: config.data.path, report: loaded.report };
}

function loadSensorWindows(config: ResolvedSearchConfig): Loaded {
  if (config.data.kind === 'builtin') {
    if (config.data.name !== 'har-synthetic') throw new Error(`The built-in set '${config.data.name}' holds images: use --data har-synthetic or your own HAR files.`);
    const all = generateSyntheticHar({ ...SYNTHETIC_HAR, seed: 2026 });
    const { train, test } = splitBySubject(all, USER_TEST_FRACTION, config.seed);
    return { train, test, dataset: 'har-synthetic', har: { ...UCI_HAR_TIMING, channels: [...UCI_HAR_CHANNELS], splitBy: 'subject' } };
  }
  const { sampleRateHz, windowSeconds, strideSeconds, columns, skipBadFiles } = config;
  const loaded = loadHar(config.data.path, { sampleRateHz, windowSeconds, strideSeconds, columns, skipBadFiles });
  const timing = loaded.timing && loaded.channels ? { ...loaded.timing, channels: loaded.channels } : undefined;
  if (loaded.format === 'recordings' && timing) {
    const split = splitByRecording(loaded.dataset, { testFraction: USER_TEST_FRACTION, validationFraction: RECORDING_VALIDATION_FRACTION, seed: config.seed });
    const har = { ...timing, splitBy: 'recording' as const, recordings: split.recordings };
    return { train: split.train, validation: split.validation, test: split.test, dataset: `${config.data.path} (recordings)`, har };
  }
  const { train, test } = loaded.predefinedSplit ?? splitBySubject(loaded.dataset, USER_TEST_FRACTION, config.seed);
  const har = timing ? { ...timing, splitBy: loaded.predefinedSplit ? ('publisher' as const) : ('subject' as const) } : undefined;
  return { train, test, dataset: `${config.data.path} (${loaded.format})`, ...(har ? { har } : {}) };
}

/** Loads the data a config names and builds the matching task. */
export async function loadTaskData(config: ResolvedSearchConfig): Promise<TaskData> {
  const loaded: Loaded = config.task === 'har' ? loadSensorWindows(config) : await loadImages(config);
  const { train, validation } = loaded.validation ? { train: loaded.train, validation: loaded.validation } : carveValidation(loaded.train, config.seed);
  const task = createTask(config.task, { train, noise: config.noise });
  // The same statistics the task standardises with (computed from the same training split).
  const { har: harInput, ...rest } = loaded;
  const har = harInput ? { ...harInput, normalization: computeChannelStats(train) } : undefined;
  return { ...rest, train, validation, task, ...(har ? { har } : {}) };
}

/** A tenth of the training data, at most 5,000 samples (whole subjects where known, else stratified by class). */
export function carveValidation(train: ArrayDataset, seed: number): { train: ArrayDataset; validation: ArrayDataset } {
  const n = train.xShape[0];
  const { train: rest, test: validation } = holdOut(train, Math.min(0.1, VALIDATION_MAX / n), seed ^ 0x5a11d);
  return { train: { ...rest, name: train.name }, validation: { ...validation, name: `${train.name} · validation` } };
}
